#include "sql/view_plan.h"
