// A file outside every layer folder.
