// Loading who may call the API: service tokens (`auth.tokens`) and users (`users`: role, teams, password hash,
// tokens). Internal to app/ (config.cpp calls it).
#pragma once

#include <yaml-cpp/yaml.h>

#include "app/config.h"
#include "app/config_reader.h"

namespace app {

// auth.tokens into cfg.http.tokens. `auth` may be left out when `users` is present (ReadUsers then requires a
// token somewhere).
void ReadTokens(Reader& r, const YAML::Node& root, const Getenv& getenv, Config& cfg);
// users into cfg.http.users; call after ReadTokens and ReadPaging (team names are checked against `teams`). Every
// token hash must differ from every other, service tokens' included.
void ReadUsers(Reader& r, const YAML::Node& root, Config& cfg);

}  // namespace app
