/*
 * payload.hpp: the event payload (the outbox row's jsonb and the Kafka value)
 * written straight into the caller's buffer, and the uuid helpers. Hand-made
 * JSON: the payload is built once per change, on the write path.
 */
#ifndef REALCHAT_CORE_PAYLOAD_HPP
#define REALCHAT_CORE_PAYLOAD_HPP

#ifdef POSTGRES_H
#error "the core must stay free of PostgreSQL: include core_api.h from the glue instead"
#endif

#include "core_api.h"
#include "invalid_value.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace realchat
{

/*
 * A fixed buffer that counts every byte offered, whether it fit or not, so
 * one pass both fills the buffer and learns the size needed (as snprintf).
 */
class bounded_writer
{
public:
	bounded_writer(char *out, size_t cap) noexcept
		: out_(out), cap_(out != nullptr ? cap : 0)
	{
	}

	void put(char c) noexcept
	{
		if (len_ < cap_)
			out_[len_] = c;
		++len_;
	}

	void put(std::string_view s) noexcept;

	size_t size() const noexcept { return len_; }

	/*
	 * Ends the output as core_api.h promises: a NUL after a fitting result
	 * when there is room, and no partial output when it did not fit.
	 */
	size_t finish() noexcept;

private:
	char	   *out_;
	size_t		cap_;
	size_t		len_ = 0;
};

/*
 * Writes s as a JSON string. Escapes '"', '\\', every control character
 * (C0, DEL, C1) and U+2028/U+2029 (line breaks to JavaScript); keeps other
 * non-ASCII as UTF-8. Throws invalid_value "<what> must be valid UTF-8".
 */
void write_json_string(bounded_writer &w, std::string_view s, std::string_view what);

/*
 * "2026-11-24T19:00:00.123456Z": UTC, always six fractional digits. Throws
 * invalid_value naming `what` outside years 0000 to 9999, which RFC 3339
 * cannot write (PostgreSQL's infinity is such a value).
 */
std::string format_timestamp(int64_t unix_micros, std::string_view what);

/* True for "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in lower-case hex. */
bool is_canonical_uuid(std::string_view s) noexcept;

/* The envelope of core_api.h's rp_build_payload; throws invalid_value. */
size_t write_payload(const rp_event &event, char *out, size_t cap);

/* write_payload into a string of the right size (for tests and tools). */
std::string build_payload(const rp_event &event);

void format_uuid(const uint8_t bytes[16], char out[37]) noexcept;

void make_uuid_v4(uint8_t bytes[16]) noexcept;

}								/* namespace realchat */

#endif
