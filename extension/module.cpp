/* module.cpp: library entry point. */
#include "expiry.h"

extern "C" {
#include "miscadmin.h"

PG_MODULE_MAGIC;

void		_PG_init(void);
}

void
_PG_init(void)
{
	rp_define_settings();
	/* Shared memory exists only when loaded through shared_preload_libraries;
	 * without it every writing transaction notifies. */
	if (process_shared_preload_libraries_in_progress)
	{
		rp_wakeup_request_shmem();
		rp_expiry_register_launcher();
	}
	rp_wakeup_register_callbacks();
}
