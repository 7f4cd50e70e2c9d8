// C++ and its standard library (libc++ on wasm32-wasi, libstdc++ natively):
// static constructors and destructors, virtual calls, templates,
// std::function, containers and algorithms, string streams and iomanip.
// Exits 3 (from main), after the destructors' and atexit's output.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <vector>

// ---- static construction and destruction ----
struct Tracer {
  std::string name;
  explicit Tracer(const char *n) : name(n) { std::cout << "construct " << name << '\n'; }
  ~Tracer() { std::cout << "destruct " << name << std::endl; }
};
static Tracer first("global 1");
static Tracer second("global 2");
static Tracer &local() {
  static Tracer t("function-local static");
  return t;
}
static void at_exit() { std::cout << "atexit handler" << std::endl; }

// ---- virtual calls through base pointers ----
struct Shape {
  virtual ~Shape() { ++destroyed; }
  virtual double area() const = 0;
  virtual std::string name() const { return "shape"; }
  std::string describe() const {
    std::ostringstream o;
    o << name() << " of area " << std::fixed << std::setprecision(3) << area();
    return o.str();
  }
  static int destroyed;
};
int Shape::destroyed = 0;
struct Circle : Shape {
  double r;
  explicit Circle(double r) : r(r) {}
  double area() const override { return 3.14159265358979323846 * r * r; }
  std::string name() const override { return "circle"; }
};
struct Rect : Shape {
  double w, h;
  Rect(double w, double h) : w(w), h(h) {}
  double area() const override { return w * h; }
  std::string name() const override { return "rect"; }
};
struct Square final : Rect {
  explicit Square(double s) : Rect(s, s) {}
  std::string name() const override { return "square(" + Rect::name() + ")"; }
};

// ---- templates ----
template <typename T> T total(const std::vector<T> &v) { return std::accumulate(v.begin(), v.end(), T{}); }
template <typename T, std::size_t N> struct Ring {
  T items[N] = {};
  std::size_t next = 0;
  void push(T x) { items[next++ % N] = x; }
  T sum() const { T s{}; for (const T &x : items) s += x; return s; }
};
template <typename... Ts> std::string join(const Ts &...xs) {
  std::ostringstream o;
  ((o << xs << ';'), ...);
  return o.str();
}
template <typename T> std::string kind(T) { return "generic"; }
template <> std::string kind(int) { return "int"; }
template <> std::string kind(const char *) { return "c-string"; }
constexpr std::uint64_t fact(unsigned n) { return n < 2 ? 1 : n * fact(n - 1); }
static_assert(fact(20) == 2432902008176640000ull, "constexpr");

int main(int argc, char **argv) {
  (void)argv;
  std::atexit(at_exit);
  local();
  std::cout << "main: argc " << argc << '\n';

  // virtual calls; sort by area with a lambda
  {
    std::vector<std::unique_ptr<Shape>> shapes;
    shapes.push_back(std::make_unique<Circle>(1.5));
    shapes.push_back(std::make_unique<Rect>(2, 4.5));
    shapes.push_back(std::make_unique<Square>(2.5));
    shapes.push_back(std::make_unique<Circle>(0.5));
    std::sort(shapes.begin(), shapes.end(),
              [](const std::unique_ptr<Shape> &a, const std::unique_ptr<Shape> &b) { return a->area() < b->area(); });
    for (const auto &s : shapes) {
      const Shape &ref = *s;
      const Rect *r = dynamic_cast<const Rect *>(&ref);
      std::cout << ref.describe() << (r ? " (a rect)" : "") << " typeid " << typeid(ref).name() << '\n';
    }
  }
  std::cout << "destroyed " << Shape::destroyed << '\n';

  // templates
  std::cout << total(std::vector<int>{1, 2, 3, 4}) << ' ' << total(std::vector<double>{0.5, 0.25})
            << ' ' << total(std::vector<std::string>{"a", "b", "c"}) << '\n';
  Ring<int, 4> ring;
  for (int i = 1; i <= 10; i++) ring.push(i * i);
  std::cout << "ring " << ring.sum() << ' ' << join(1, "two", 3.5, 'c') << ' ' << kind(1) << ' '
            << kind("s") << ' ' << kind(2.0) << ' ' << fact(15) << '\n';

  // std::function: closures, recursion, composition
  std::function<std::uint64_t(unsigned)> fib = [&fib](unsigned n) -> std::uint64_t {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
  };
  auto compose = [](std::function<int(int)> f, std::function<int(int)> g) {
    return std::function<int(int)>([=](int x) { return f(g(x)); });
  };
  int base = 10;
  std::function<int(int)> add = [base](int x) { return x + base; };
  auto twice = compose(add, [](int x) { return x * 2; });
  std::cout << "fib(30) " << fib(30) << " compose " << twice(7) << " empty "
            << static_cast<bool>(std::function<void()>()) << '\n';

  // strings
  std::string s = "The quick brown fox jumps over the lazy dog";
  std::string t = s;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::toupper(c); });
  t.replace(t.find("FOX"), 3, "cat");
  std::cout << t << " | " << s.substr(4, 5) << " | " << s.rfind('o') << ' ' << (s.find("zebra") == std::string::npos)
            << " | " << std::to_string(42) + "/" + std::to_string(-7) << " | " << std::stoi("-123") + std::stol("77")
            << ' ' << std::stod("2.5e3") << '\n';

  // word counts: unordered_map, sorted before printing; map; set
  std::unordered_map<std::string, int> counts;
  std::istringstream words("to be or not to be that is the question whether tis nobler in the mind to suffer");
  for (std::string w; words >> w;) counts[w]++;
  std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::cout << counts.size() << " words:";
  for (std::size_t i = 0; i < 5; i++) std::cout << ' ' << sorted[i].first << '=' << sorted[i].second;
  std::cout << '\n';
  std::map<std::string, std::vector<int>> byLen;
  for (const auto &p : sorted) byLen[std::string(p.first.size(), '#')].push_back(p.second);
  for (const auto &[k, v] : byLen) std::cout << k << ':' << v.size() << ' ';
  auto lb = byLen.lower_bound("###");
  std::cout << "| lower_bound " << lb->first.size() << '\n';
  std::set<int> primes;
  for (int n = 2; n < 60; n++)
    if (std::none_of(primes.begin(), primes.end(), [n](int p) { return n % p == 0; })) primes.insert(n);
  std::cout << "primes " << primes.size() << " largest " << *primes.rbegin() << " count>30 "
            << std::count_if(primes.begin(), primes.end(), [](int p) { return p > 30; }) << '\n';

  // algorithms on a vector
  std::vector<int> v(20);
  std::iota(v.begin(), v.end(), -5);
  std::vector<int> sq;
  std::transform(v.begin(), v.end(), std::back_inserter(sq), [](int x) { return x * x % 17; });
  std::stable_sort(sq.begin(), sq.end(), [](int a, int b) { return a % 5 < b % 5; });
  std::vector<int> ps(sq.size());
  std::partial_sum(sq.begin(), sq.end(), ps.begin());
  auto [mnp, mxp] = std::minmax_element(sq.begin(), sq.end());
  int mn = *mnp, mx = *mxp;
  sq.erase(std::unique(sq.begin(), sq.end()), sq.end());
  std::cout << "algo";
  for (int x : sq) std::cout << ' ' << x;
  std::cout << " | sum " << ps.back() << " min " << mn << " max " << mx << " reverse-sorted "
            << std::is_sorted(v.rbegin(), v.rend(), std::greater<int>()) << '\n';

  // the standard pins mt19937's sequence (not the distributions')
  std::mt19937 gen(2024);
  std::cout << "mt19937 " << gen() << ' ' << gen() << ' ';
  gen.discard(9997);
  std::cout << gen() << '\n';

  // random_device (WASI random_get), clocks, and a vector that grows the
  // memory by 64 MiB
  std::random_device rd;
  unsigned r1 = rd(), r2 = rd(), r3 = rd();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::uint32_t> big(16 << 20);
  for (std::size_t i = 0; i < big.size(); i++) big[i] = static_cast<std::uint32_t>(i * 2654435761u);
  std::uint64_t bigsum = std::accumulate(big.begin(), big.end(), std::uint64_t{0});
  auto t1 = std::chrono::steady_clock::now();
  auto since = std::chrono::system_clock::now().time_since_epoch();
  std::cout << "random_device varies " << !(r1 == r2 && r2 == r3) << " | 64 MiB sum " << bigsum << " | steady "
            << (t1 >= t0) << " under a minute " << (t1 - t0 < std::chrono::seconds(60)) << " | after 2020 "
            << (since > std::chrono::seconds(1577836800)) << '\n';

  // iomanip
  double vals[] = {3.14159265358979, -0.000123456, 1234567.891, 1e-10, 0.1};
  for (double d : vals)
    std::cout << '[' << std::setw(14) << std::setprecision(6) << std::fixed << d << "] [" << std::scientific
              << std::setprecision(3) << d << "] [" << std::defaultfloat << std::setprecision(17) << d << "]\n";
  std::cout << std::setfill('.') << std::left << std::setw(10) << "left" << '|' << std::right << std::setw(10)
            << "right" << '|' << std::internal << std::setw(8) << -42 << '|' << std::setfill(' ') << '\n';
  std::cout << std::hex << std::showbase << 255 << ' ' << std::uppercase << 3054 << std::nouppercase << ' '
            << std::oct << 8 << std::dec << std::noshowbase << ' ' << std::boolalpha << true << ' ' << (1 > 2)
            << std::noboolalpha << ' ' << std::showpos << 5 << std::noshowpos << '\n';
  std::cout << std::setprecision(6) << 1.0 / 3 << ' ' << 2.0 / 3 * 1e20 << ' ' << 100.0 << ' ' << 1e21 << '\n';

  std::cout << "main returns 3" << std::endl;
  return 3;
}
