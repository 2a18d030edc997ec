#include "sql/reference_executor.h"
