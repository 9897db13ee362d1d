# realchat_profile: PGXS build of the PostgreSQL extension.
#   make && make install && make installcheck
# The publisher and C++ tests build with CMake (see README.md).

EXTENSION = realchat_profile
# 1.0 is released and frozen: its install script is built from extension/realchat_profile.sql.
# Later versions are reached through upgrade scripts (sql/realchat_profile--A--B.sql), so a fresh
# CREATE EXTENSION runs exactly what ALTER EXTENSION ... UPDATE runs on an old database.
BASE_VERSION = 1.0

MODULE_big = realchat_profile
GLUE_SRCS = $(wildcard extension/*.cpp)
CORE_SRCS = $(wildcard extension/core/*.cpp)
OBJS = $(GLUE_SRCS:.cpp=.o) $(CORE_SRCS:.cpp=.o)

DATA = $(wildcard sql/$(EXTENSION)--*--*.sql)
# Per-version control: 1.0 requires nothing (1.1 adds pg_trgm).
DATA += $(EXTENSION)--$(BASE_VERSION).control
DATA_built = sql/$(EXTENSION)--$(BASE_VERSION).sql
EXTRA_CLEAN = $(DATA_built)

TESTS = $(sort $(wildcard sql/*.sql))
REGRESS = $(filter-out $(EXTENSION)--%,$(patsubst sql/%.sql,%,$(TESTS)))
REGRESS_OPTS = --load-extension=pg_trgm --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config
PG_CPPFLAGS = -Iextension
PG_CXXFLAGS = -std=c++17 -Wall -Wno-register -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK = -lstdc++ $(shell pkg-config --libs icu-uc)

# No LLVM bitcode: the extension gains nothing from JIT inlining, and the
# build then needs no clang.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(BASE_VERSION).sql: extension/$(EXTENSION).sql
	cp $< $@

# PGXS compiles C++ with the server's C++ flags and links with its C flags, as
# the server's compiler knew them. Builds of PostgreSQL 16 and later by a newer
# compiler than Debian 12's g++/gcc 12 carry two it rejects.
override CXXFLAGS := $(filter-out -fexcess-precision=standard,$(CXXFLAGS))
override CFLAGS := $(filter-out -Wmissing-variable-declarations,$(CFLAGS))
