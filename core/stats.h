/* Process statistics ("show info"). */
#ifndef SLUICE_CORE_STATS_H
#define SLUICE_CORE_STATS_H

#include "str.h"

/* Registers a function that appends "Name: value" lines to "show info" (in the master,
 * which serves the stats socket; from INITCALLs). */
void stats_register_info(void (*fn)(struct strbuf *out));

#endif
