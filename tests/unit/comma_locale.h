// comma_locale.h - run a test under a locale whose decimal point is ',', as
// an app that calls setlocale(LC_ALL, "de_DE.UTF-8") does, to check that
// gradc reads and writes numbers the same whatever the process's locale.
#pragma once

#include <doctest/doctest.h>

#include <clocale>
#include <locale>
#include <string>

namespace unit {

/// While alive, the C locale (strtod, printf) and the global C++ locale use
/// ',' as the decimal point. scripts/install-deps.sh generates de_DE.UTF-8;
/// where no comma locale exists, only the C++ locale is switched (to a
/// classic locale with a ',' numpunct) and `c_locale` is false.
class CommaLocale {
 public:
  CommaLocale() {
    for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
                             "es_ES.UTF-8", "it_IT.UTF-8", "ru_RU.UTF-8", "de_DE"}) {
      if (!std::setlocale(LC_ALL, name)) continue;
      if (std::string(std::localeconv()->decimal_point) == ",") {
        c_locale = true;
        name_ = name;
        break;
      }
    }
    if (c_locale) {
      std::locale::global(std::locale(name_));
    } else {
      std::setlocale(LC_ALL, "C");
      MESSAGE("no comma-decimal C locale installed (run scripts/install-deps.sh); "
              "testing with a C++ numpunct locale only");
      std::locale::global(std::locale(std::locale::classic(), new Comma));
    }
  }
  ~CommaLocale() {
    std::setlocale(LC_ALL, "C");
    std::locale::global(std::locale::classic());
  }
  CommaLocale(const CommaLocale&) = delete;
  CommaLocale& operator=(const CommaLocale&) = delete;

  bool c_locale = false;  ///< the C library's locale is a comma locale too

 private:
  struct Comma : std::numpunct<char> {
    char do_decimal_point() const override { return ','; }
  };
  std::string name_;
};

}  // namespace unit
