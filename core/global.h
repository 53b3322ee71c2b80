/* The global section. */
#ifndef SLUICE_CORE_GLOBAL_H
#define SLUICE_CORE_GLOBAL_H

#include "global-t.h"

/* The "global" section object (cfg_section.obj for keywords of the global section). */
extern struct global global;

#endif
