#include "sql/view_binder.h"
