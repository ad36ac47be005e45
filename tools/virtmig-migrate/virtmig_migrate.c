/* virtmig_migrate.c: the command (to be written); see migrate_sample.h */
#include "migrate_sample.h"

int
main(void)
{
    return 1;
}
