/* migrate_timeline.c: see migrate_sample.h (to be written) */
#include "migrate_sample.h"
