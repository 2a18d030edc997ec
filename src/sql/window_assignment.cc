#include "sql/window_assignment.h"
