#include "sql/bound_expression.h"
