#pragma once
#include "execution/sampler.h"
