#!/usr/bin/env python3
"""Every relative link of README.md and docs/**/*.md resolves.

Usage: check_links.py ROOT

Reads ROOT/README.md and every .md file under ROOT/docs, finds their inline
links and images ([text](target), ![alt](target)), reference definitions
([name]: target) and HTML href/src attributes outside code, and checks each
relative target: the file or folder exists, and a #fragment names a heading of
the target markdown file (GitHub's anchors: lower case, punctuation dropped,
spaces to hyphens, "-1", "-2" for repeats) or an id/name attribute in it.
Links to other sites (http:, https:, mailto:) are not fetched. Prints one line
per broken link, "FILE:LINE: 'TARGET': why", and exits 1 if there is any.
"""
import os
import re
import sys

INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HTML = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ANCHOR = re.compile(r"""<a\s+(?:id|name)\s*=\s*["']([^"']+)["']""")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose_lines(text):
    """(line number, line, the line with its code spans blanked) of the lines outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip()
        marker = re.match(r"(`{3,}|~{3,})", stripped)
        if fence:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker:
            fence = marker.group(1)
            continue
        yield number, line, CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def slug(heading):
    """GitHub's anchor of a heading's text."""
    text = re.sub(r"<[^>]+>", "", heading)              # inline HTML
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link's text stays
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        found, seen = set(), {}
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for _, line, _ in prose_lines(text):
            heading = HEADING.match(line)
            if heading:
                base = slug(heading.group(2))
                n = seen.get(base, 0)
                seen[base] = n + 1
                found.add(base if n == 0 else f"{base}-{n}")
        found.update(EXPLICIT_ANCHOR.findall(text))
        cache[path] = found
    return cache[path]


def targets(line):
    for pattern in (INLINE, HTML):
        for match in pattern.finditer(line):
            yield match.group(1)
    reference = REFERENCE.match(line)
    if reference:
        yield reference.group(1)


def problem(source, target):
    """Why `target`, linked from the file `source`, does not resolve; None when it does."""
    if EXTERNAL.match(target):
        return None
    path, _, fragment = target.partition("#")
    resolved = os.path.normpath(os.path.join(os.path.dirname(source), path)) if path else source
    if not os.path.exists(resolved):
        return "no such file"
    if fragment and resolved.endswith(".md") and os.path.isfile(resolved):
        if fragment not in anchors(resolved):
            return f"no heading or anchor '{fragment}' in {os.path.relpath(resolved)}"
    return None


def markdown_files(root):
    files = [os.path.join(root, "README.md")]
    for folder, _, names in os.walk(os.path.join(root, "docs")):
        files += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".md")]
    return [f for f in files if os.path.isfile(f)]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_links.py ROOT")
    root = sys.argv[1]
    os.chdir(root)
    broken = checked = 0
    for source in markdown_files("."):
        with open(source, encoding="utf-8") as f:
            text = f.read()
        for number, _, line in prose_lines(text):
            for target in targets(line):
                checked += 1
                why = problem(source, target)
                if why:
                    broken += 1
                    print(f"{os.path.relpath(source)}:{number}: '{target}': {why}")
    print(f"{checked} links checked, {broken} broken")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
