/*
 * citus.c
 *		What the extension does differently when Citus runs in the server
 *		(see "Citus" in docs/design.md). Citus is never linked against: its
 *		presence is read from its settings.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "citus.h"

/*
 * Whether Citus is loaded in this backend. It is loaded only through
 * shared_preload_libraries, so the answer is fixed for the backend's life;
 * a setting of that name that is only a placeholder does not count.
 */
bool
CitusLoaded(void)
{
	static int	loaded = -1;

	if (loaded < 0)
	{
		const char *version = GetConfigOption("citus.version", true, false);

		loaded = (version != NULL &&
				  !(GetConfigOptionFlags("citus.version", true) & GUC_CUSTOM_PLACEHOLDER)) ? 1 : 0;
	}
	return loaded == 1;
}

/*
 * Whether this backend serves a Citus coordinator's statement on a worker.
 * Citus names these connections "citus_internal gpid=N".
 */
bool
CitusWorkerConnection(void)
{
	const char *name;

	if (!CitusLoaded())
		return false;
	name = GetConfigOption("application_name", true, false);
	return name != NULL && strncmp(name, "citus_internal gpid=", 20) == 0;
}
