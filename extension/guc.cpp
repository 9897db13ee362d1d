/* guc.cpp: the realchat_profile.* settings. Superuser-only, so an application
 * role cannot redirect events or lift the list limits. */
#include "expiry.h"

extern "C" {
#include "utils/guc.h"
}

char	   *rp_topic = NULL;
char	   *rp_notify_channel = NULL;
int			rp_max_contacts = 10000;
int			rp_max_blocks = 10000;
int			rp_max_mutes = 10000;

/* Kafka's rule for topic names: 1..249 of [a-zA-Z0-9._-]. */
static bool
check_topic(char **newval, void **extra, GucSource source)
{
	const char *s = *newval;
	size_t		len = s ? strlen(s) : 0;

	if (len == 0 || len > 249)
	{
		GUC_check_errdetail("realchat_profile.topic must be 1 to 249 characters.");
		return false;
	}
	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '-'))
		{
			GUC_check_errdetail("realchat_profile.topic may contain only ASCII letters, digits, '.', '_' and '-'.");
			return false;
		}
	}
	return true;
}

static bool
check_channel(char **newval, void **extra, GucSource source)
{
	size_t		len = *newval ? strlen(*newval) : 0;

	if (len == 0 || len >= NAMEDATALEN)
	{
		GUC_check_errdetail("realchat_profile.notify_channel must be 1 to %d bytes.", NAMEDATALEN - 1);
		return false;
	}
	return true;
}

void
rp_define_settings(void)
{
	DefineCustomStringVariable("realchat_profile.topic",
							   "Kafka topic written into each new outbox row.",
							   NULL, &rp_topic, "profile.events",
							   PGC_SUSET, 0, check_topic, NULL, NULL);
	DefineCustomStringVariable("realchat_profile.notify_channel",
							   "Channel that writers NOTIFY to wake the publisher.",
							   NULL, &rp_notify_channel, "profile_outbox",
							   PGC_SUSET, 0, check_channel, NULL, NULL);
	DefineCustomIntVariable("realchat_profile.max_contacts",
							"Most contacts one user may have.",
							NULL, &rp_max_contacts, 10000, 0, 1000000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("realchat_profile.max_blocks",
							"Most users one user may block.",
							NULL, &rp_max_blocks, 10000, 0, 1000000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("realchat_profile.max_mutes",
							"Most users one user may mute.",
							NULL, &rp_max_mutes, 10000, 0, 1000000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	rp_define_presence_settings();
	MarkGUCPrefixReserved("realchat_profile");
}
