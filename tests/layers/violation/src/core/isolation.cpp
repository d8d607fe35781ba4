#include "core/isolation.h"
#include "report/markdown.h"
