/*
 * core_api.cpp: the extern "C" facade of core_api.h over the C++ core. Every
 * function that can fail runs its body through guarded(), the one place where
 * exceptions stop: none may unwind into the PostgreSQL glue that called us.
 */
#include "core_api.h"

#include "payload.hpp"
#include "status_rules.hpp"
#include "text_rules.hpp"

#include <cstring>
#include <new>
#include <string>

namespace
{

/* Copies msg into err, cut at a character boundary so it stays valid UTF-8. */
void
set_error(rp_error *err, rp_error_kind kind, const char *msg) noexcept
{
	if (err == nullptr)
		return;

	size_t		len = std::strlen(msg);

	if (len >= sizeof(err->message))
	{
		len = sizeof(err->message) - 1;
		while (len > 0 && (static_cast<unsigned char>(msg[len]) & 0xC0) == 0x80)
			--len;
	}
	std::memcpy(err->message, msg, len);
	err->message[len] = '\0';
	err->kind = kind;
}

/*
 * Runs fn and turns any exception into RP_FAILED plus a message in err. A
 * rejected value is the caller's fault; everything else is internal. On
 * failure out gets an empty string, never a part of a value.
 */
template <typename Fn>
size_t
guarded(rp_error *err, char *out, size_t cap, Fn &&fn) noexcept
{
	try
	{
		return fn();
	}
	catch (const realchat::invalid_value &e)
	{
		set_error(err, RP_ERROR_INVALID_VALUE, e.what());
	}
	catch (const std::bad_alloc &)
	{
		set_error(err, RP_ERROR_INTERNAL, "out of memory");
	}
	catch (const std::exception &e)
	{
		set_error(err, RP_ERROR_INTERNAL, e.what());
	}
	catch (...)
	{
		set_error(err, RP_ERROR_INTERNAL, "unexpected internal error");
	}
	if (out != nullptr && cap > 0)
		out[0] = '\0';
	return RP_FAILED;
}

/* The snprintf-style copy promised by core_api.h. */
size_t
copy_out(const std::string &value, char *out, size_t cap) noexcept
{
	realchat::bounded_writer w(out, cap);

	w.put(value);
	return w.finish();
}

std::string
normalize(rp_field field, std::string_view in)
{
	switch (field)
	{
		case RP_FIELD_USERNAME:
			return realchat::normalize_username(in);
		case RP_FIELD_DISPLAY_NAME:
		case RP_FIELD_NICKNAME:
			return realchat::normalize_short_text(rp_field_name(field), in);
		case RP_FIELD_BIO:
		case RP_FIELD_REASON:
			return realchat::normalize_long_text(rp_field_name(field), in);
		case RP_FIELD_AVATAR_URL:
			return realchat::normalize_avatar_url(in);
		case RP_FIELD_STATUS_TEXT:
			return realchat::normalize_short_text(rp_field_name(field), in, realchat::status_text_max_chars);
		case RP_FIELD_STATUS_EMOJI:
			return realchat::check_status_emoji(in);
	}
	throw realchat::invalid_value("unknown field " + std::to_string(static_cast<int>(field)));
}

}								/* namespace */

extern "C" const char *
rp_field_name(rp_field field)
{
	switch (field)
	{
		case RP_FIELD_USERNAME:
			return "username";
		case RP_FIELD_DISPLAY_NAME:
			return "display_name";
		case RP_FIELD_NICKNAME:
			return "nickname";
		case RP_FIELD_BIO:
			return "bio";
		case RP_FIELD_REASON:
			return "reason";
		case RP_FIELD_AVATAR_URL:
			return "avatar_url";
		case RP_FIELD_STATUS_TEXT:
			return "status_text";
		case RP_FIELD_STATUS_EMOJI:
			return "status_emoji";
	}
	return "unknown field";
}

extern "C" size_t
rp_normalize_field(rp_field field, const char *in, size_t len,
				   char *out, size_t cap, rp_error *err)
{
	return guarded(err, out, cap, [&] {
		if (in == nullptr && len > 0)
			throw realchat::invalid_value(std::string(rp_field_name(field)) + " must point to len bytes");
		return copy_out(normalize(field, std::string_view(in != nullptr ? in : "", len)), out, cap);
	});
}

extern "C" size_t
rp_build_payload(const rp_event *event, char *out, size_t cap, rp_error *err)
{
	return guarded(err, out, cap, [&] {
		if (event == nullptr)
			throw realchat::invalid_value("event must not be a null pointer");
		return realchat::write_payload(*event, out, cap);
	});
}

extern "C" bool
rp_valid_traceparent(const char *in, size_t len)
{
	return in != nullptr && realchat::is_valid_traceparent(std::string_view(in, len));
}

/* The uuid helpers only move bytes: they cannot throw, so need no guard. */
extern "C" void
rp_format_uuid(const uint8_t bytes[16], char out[37])
{
	realchat::format_uuid(bytes, out);
}

extern "C" void
rp_make_uuid_v4(uint8_t bytes[16])
{
	realchat::make_uuid_v4(bytes);
}
