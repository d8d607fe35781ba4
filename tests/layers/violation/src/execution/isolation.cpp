#include "execution/isolation.h"
#include "report/markdown.h"
