#pragma once
#include "core/sampler.h"
