#include "batch/batch_view_table.h"
