#include "batch/hash_aggregator.h"
