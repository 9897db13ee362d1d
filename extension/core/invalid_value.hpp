/*
 * invalid_value.hpp: the one exception the core throws for input that breaks
 * a rule. core_api.cpp reports it as RP_ERROR_INVALID_VALUE; anything else
 * that escapes is an internal error.
 */
#ifndef REALCHAT_CORE_INVALID_VALUE_HPP
#define REALCHAT_CORE_INVALID_VALUE_HPP

#include <stdexcept>

namespace realchat
{

/* what() is the message for the caller: lower-case, naming the field first. */
class invalid_value : public std::invalid_argument
{
public:
	using std::invalid_argument::invalid_argument;
};

}								/* namespace realchat */

#endif
