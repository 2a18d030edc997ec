#include "batch/lake_scan.h"
