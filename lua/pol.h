/* Lua policy scripts. Nothing outside lua/ includes a Lua header. */
#ifndef SLUICE_LUA_POL_H
#define SLUICE_LUA_POL_H

/* "Lua 5.4.4": the library sluice is running with. */
const char *pol_lib_version(void);

#endif
