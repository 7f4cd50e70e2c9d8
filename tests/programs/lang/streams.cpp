// C++ I/O: arguments, environment, std::cin line by line, fstream writes
// and reads in the working directory (text, binary, append, seeks), and
// the exit status. usage: streams [ARGS...]; exit=N exits with N
// (std::exit), otherwise main returns the number of input lines % 7.
// Leaves table.txt and blob.bin in the working directory.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

static std::string slurp(const char *path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

int main(int argc, char **argv) {
  int code = -1;
  std::cout << "argc " << argc << '\n';
  for (int i = 1; i < argc; i++) {
    std::cout << "arg " << i << " [" << argv[i] << "] " << std::strlen(argv[i]) << '\n';
    if (!std::strncmp(argv[i], "exit=", 5)) code = std::atoi(argv[i] + 5);
  }
  const char *name = std::getenv("LT_NAME"), *missing = std::getenv("LT_MISSING");
  const char *empty = std::getenv("LT_EMPTY");
  std::cout << "LT_NAME=" << (name ? name : "(unset)") << " LT_MISSING " << (missing ? "set" : "unset")
            << " LT_EMPTY " << (empty ? (*empty ? "non-empty" : "empty") : "unset") << '\n';

  // stdin: lines, words, numbers
  std::string line;
  std::map<std::string, int> firstWords;
  long lines = 0, words = 0, chars = 0;
  double numbers = 0;
  while (std::getline(std::cin, line)) {
    lines++;
    chars += (long)line.size();
    std::istringstream ls(line);
    std::string w;
    bool first = true;
    while (ls >> w) {
      words++;
      if (first) firstWords[w]++;
      first = false;
      char *end;
      double d = std::strtod(w.c_str(), &end);
      if (*end == '\0') numbers += d;
    }
  }
  std::cout << "stdin: " << lines << " lines " << words << " words " << chars << " chars, numbers "
            << std::setprecision(10) << numbers << ", eof " << std::cin.eof() << '\n';
  int shown = 0;
  for (const auto &[w, n] : firstWords)
    if (shown++ < 5) std::cout << "  first word " << std::quoted(w) << " x" << n << '\n';

  // a text file: written, appended to, read back and parsed
  {
    std::ofstream out("table.txt");
    out << std::left << std::setw(8) << "name" << std::right << std::setw(10) << "value" << '\n';
    for (int i = 1; i <= 12; i++)
      out << std::left << std::setw(8) << ("row" + std::to_string(i)) << std::right << std::setw(10) << std::fixed
          << std::setprecision(2) << i * 1.25 + lines << '\n';
    if (!out) std::cout << "write failed\n";
  }
  {
    std::ofstream app("table.txt", std::ios::app);
    app << "total   " << std::setw(10) << "-" << '\n';
  }
  {
    std::ifstream in("table.txt");
    std::string header, n, v;
    std::getline(in, header);
    double sum = 0;
    int rows = 0;
    while (in >> n >> v) {
      if (n == "total") break;
      sum += std::stod(v);
      rows++;
    }
    std::cout << "table: header [" << header << "] rows " << rows << " sum " << std::fixed << std::setprecision(2)
              << sum << '\n';
    in.seekg(0, std::ios::end);
    std::cout << "table size " << in.tellg() << '\n';
  }

  // a binary file: all byte values, overwritten in the middle, read back
  {
    std::ofstream bin("blob.bin", std::ios::binary);
    for (int i = 0; i < 256; i++) bin.put(static_cast<char>(i));
    std::uint32_t word = 0x01020304;
    bin.write(reinterpret_cast<const char *>(&word), sizeof word); // little-endian on both
  }
  {
    std::fstream f("blob.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.write("\xff\xfe\xfd", 3);
    f.seekg(-4, std::ios::end);
    unsigned char tail[4];
    f.read(reinterpret_cast<char *>(tail), 4);
    std::cout << "blob tail " << std::hex << int(tail[0]) << int(tail[1]) << int(tail[2]) << int(tail[3]) << std::dec
              << " read " << f.gcount() << '\n';
    char c;
    f.read(&c, 1);
    std::cout << "past the end: eof " << f.eof() << " fail " << f.fail() << '\n';
  }
  std::string blob = slurp("blob.bin");
  unsigned sum = 0;
  for (unsigned char c : blob) sum = sum * 31 + c;
  std::cout << "blob " << blob.size() << " bytes, hash " << sum << '\n';

  // errors: a missing file, a directory that does not exist, rename, remove
  std::ifstream nope("no-such-file.txt");
  std::cout << "missing: open " << nope.is_open() << " good " << nope.good() << '\n';
  errno = 0;
  std::FILE *fp = std::fopen("no-such-dir/x.txt", "w");
  std::cout << "fopen in a missing dir: " << (fp ? "opened" : "failed") << " ENOENT " << (errno == ENOENT) << '\n';
  { std::ofstream("scratch.txt") << "scratch\n"; }
  std::cout << "rename " << std::rename("scratch.txt", "moved.txt") << " remove " << std::remove("moved.txt")
            << " remove again " << std::remove("moved.txt") << " ENOENT " << (errno == ENOENT) << '\n';

  std::cerr << "to stderr: " << lines << " lines" << std::endl;
  if (code >= 0) {
    std::cout << "std::exit(" << code << ")" << std::endl;
    std::exit(code);
  }
  std::cout << "return " << lines % 7 << '\n';
  return static_cast<int>(lines % 7);
}
