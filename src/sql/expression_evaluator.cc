#include "sql/expression_evaluator.h"
