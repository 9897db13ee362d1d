# Writes the Lua library as a C++ raw string (run at build time, so edits to the .lua rebuild).
file(READ ${INPUT} LUA)
string(FIND "${LUA}" ")rp_lua\"" CLASH)
if(NOT CLASH EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter")
endif()
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#pragma once\nstatic const char kRealchatProfileLua[] = R\"rp_lua(${LUA})rp_lua\";\n")
