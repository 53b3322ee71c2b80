/* Shared memory between the master and its workers. */
#include "shm.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "str.h"

struct shm_area *shm;
struct shm_slot *shm_self;

int shm_init(int nslots, char **err)
{
    void *p;

    if (nslots < 1 || nslots > SHM_MAX_SLOTS)
        return str_printf(err, "invalid number of worker slots %d", nslots);
    p = mmap(NULL, sizeof(struct shm_area), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
             -1, 0);
    if (p == MAP_FAILED)
        return str_printf(err, "cannot map shared memory: %s", strerror(errno));
    shm = p;
    shm->magic = SHM_MAGIC;
    shm->nslots = (uint32_t)nslots;
    shm->started = (int64_t)time(NULL);
    return 0;
}
