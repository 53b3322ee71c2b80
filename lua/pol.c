/* Lua policy scripts: library identification. The scripting API comes with its own issue. */
#include "pol.h"

#include <stdio.h>

#include <lua.h>

const char *pol_lib_version(void)
{
    return LUA_RELEASE;
}
