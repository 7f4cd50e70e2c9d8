// Rust's collections, string formatting and integer and floating-point
// arithmetic, plus std::time. HashMap and HashSet are seeded from
// random_get: nothing printed depends on their iteration order.
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const TEXT: &str = "A ferry carries people and their cars across the water. \
The ferry leaves the harbour at dawn, and the ferry comes back at dusk; \
between the two crossings the crew paints the rails, the captain reads the \
charts, and the cars wait in a long line on the quay. Some days the water \
is calm and the crossing takes an hour; other days the wind turns the \
water grey and the crossing takes two.";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Point {
    x: i32,
    y: i32,
}

fn collections() {
    // word frequencies: HashMap, printed sorted by count then word
    let mut freq: HashMap<String, usize> = HashMap::new();
    for w in TEXT.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        *freq.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    let mut top: Vec<(&String, &usize)> = freq.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    println!("{} distinct words", freq.len());
    for (w, n) in top.iter().take(6) {
        println!("  {:<10}|{:>3}", w, n);
    }
    println!("ferry: {:?}, boat: {:?}", freq.get("ferry"), freq.get("boat"));

    // HashSet algebra, sorted for printing
    let a: HashSet<u32> = (1..40).filter(|n| n % 3 == 0).collect();
    let b: HashSet<u32> = (1..40).filter(|n| n % 5 == 0).collect();
    let mut both: Vec<_> = a.intersection(&b).copied().collect();
    both.sort_unstable();
    let mut either: Vec<_> = a.union(&b).copied().collect();
    either.sort_unstable();
    let sym: u32 = a.symmetric_difference(&b).sum();
    println!("both {:?}, either {} (sum {}), symmetric sum {}", both, either.len(), either.iter().sum::<u32>(), sym);

    // a HashMap keyed by a derived Hash; removal and re-insertion
    let mut grid: HashMap<Point, char> = HashMap::new();
    for i in 0..200 {
        grid.insert(Point { x: i % 17, y: i / 17 }, (b'a' + (i % 26) as u8) as char);
    }
    for i in (0..200).step_by(3) {
        grid.remove(&Point { x: i % 17, y: i / 17 });
    }
    let mut keys: Vec<&Point> = grid.keys().collect();
    keys.sort();
    let s: String = keys.iter().take(12).map(|p| grid[p]).collect();
    println!("grid {} left, first {:?}, {:?} -> {:?}", grid.len(), s, keys[0], grid.get(keys[0]));

    // BTreeMap: ordered, ranges, entry API
    let mut tree: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for (i, w) in TEXT.split_whitespace().enumerate() {
        tree.entry(w.len() as i64 * 10 - i as i64 % 7).or_default().push(w);
    }
    println!("tree {} keys, first {:?}, last {:?}", tree.len(), tree.iter().next(), tree.keys().next_back());
    let mid: Vec<(&i64, usize)> = tree.range(30..=45).map(|(k, v)| (k, v.len())).collect();
    println!("range 30..=45: {:?}", mid);
    let set: BTreeSet<char> = TEXT.chars().filter(|c| c.is_ascii_punctuation()).collect();
    println!("punctuation {:?}", set);

    // VecDeque and BinaryHeap
    let mut dq: VecDeque<i32> = (1..=10).collect();
    dq.rotate_left(3);
    dq.push_front(0);
    dq.pop_back();
    println!("deque {:?}", dq);
    let mut heap: BinaryHeap<(u8, &str)> = BinaryHeap::new();
    for (p, s) in [(3, "c"), (9, "i"), (1, "a"), (7, "g"), (9, "z")] {
        heap.push((p, s));
    }
    let order: Vec<_> = std::iter::from_fn(|| heap.pop()).collect();
    println!("heap {:?}", order);

    // Vec: sort, dedup, windows, chunks, binary search, retain
    let mut v: Vec<u64> = (0..50u64).map(|i| (i * 7919 + 13) % 101).collect();
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.dedup();
    let w: Vec<u64> = v.windows(3).map(|w| w[0] - w[2]).take(8).collect();
    let c: Vec<u64> = v.chunks(7).map(|c| c.iter().sum()).collect();
    v.reverse();
    println!("vec {} {:?} {:?} {:?} {:?}", v.len(), w, c, v.binary_search(&50), v.binary_search(&51));
    v.retain(|x| x % 2 == 1);
    println!("odd {:?}", &v[..v.len().min(10)]);
    let mut people = vec![("eve", 31), ("bob", 25), ("amy", 31), ("dan", 25), ("cid", 40)];
    people.sort_by_key(|&(_, age)| std::cmp::Reverse(age)); // stable
    println!("people {:?}", people);
}

fn strings() {
    let s = "Grüße, Straße! ½ ⚓ 🚢";
    println!("{} bytes, {} chars, upper {:?}", s.len(), s.chars().count(), s.to_uppercase());
    println!("debug {:?}", "tab\there \"quoted\" \\ nul\0 bell\x07 \u{7f} é");
    let idx: Vec<(usize, char)> = s.char_indices().filter(|(_, c)| !c.is_ascii()).collect();
    println!("non-ascii at {:?}", idx);
    println!("[{:>8}] [{:<8}] [{:^8}] [{:*^9}] [{:08.3}] [{:+}]", "right", "left", "mid", "x", -3.14159, 7);
    println!("[{:#x}] [{:#o}] [{:#b}] [{:X}] [{:#010x}]", 255, 8, 5, 0xbeefu32, 48879);
    let mut out = String::new();
    for i in 0..5 {
        write!(out, "{}{}", if i > 0 { "," } else { "" }, i * i).unwrap();
    }
    println!("built {:?}; replaced {:?}", out, out.replace(',', " | "));
    let parts: Vec<&str> = "a=1;b=22;;c=333".split(';').collect();
    let parsed: Vec<Option<(&str, u32)>> = parts
        .iter()
        .map(|p| p.split_once('=').and_then(|(k, v)| v.parse().ok().map(|n| (k, n))))
        .collect();
    println!("parsed {:?}", parsed);
    println!("parse errors: {:?} {:?} {:?}", "12x".parse::<i32>(), "".parse::<u8>(), "300".parse::<u8>());
    println!("{:?} {:?}", "  trim me\t\n".trim(), "x".repeat(3) + &"yz".chars().rev().collect::<String>());
    let p = Point { x: -1, y: 2 };
    println!("{:?} / {:#?}", p, p);
}

fn integers() {
    let a: u64 = 0xdead_beef_cafe_f00d;
    println!("u64 {} {} {} {}", a, a.wrapping_mul(0x9e3779b97f4a7c15), a.rotate_left(17), a.leading_zeros());
    println!("u64 max {} checked {:?} {:?} saturating {}", u64::MAX, u64::MAX.checked_add(1), 3u64.checked_pow(40), u64::MAX.saturating_add(5));
    println!("i64 {} {} {} {}", i64::MIN, -7i64 / 2, -7i64 % 2, (-7i64).rem_euclid(2));
    println!("u32 {} {} {}", 4_000_000_000u32.wrapping_add(500_000_000), 1u32 << 31, 12345678u32.count_ones());
    // i128 and u128: multiplication and division go through compiler helpers
    let mut f: i128 = 1;
    let mut n = 1;
    while let Some(g) = f.checked_mul(n) {
        f = g;
        n += 1;
    }
    println!("{}! = {} (the largest that fits in i128)", n - 1, f);
    let big: u128 = u128::MAX / 3;
    println!("u128 {} {} {} {:x}", u128::MAX, big, big % 1_000_000_007, big.wrapping_mul(big));
    println!("i128 {} {} {}", i128::MIN, f / -123456789012345678901234567i128, f % 999999999999999989i128);
    let x: i128 = -170141183460469231731687303715884105728;
    println!("i128 {:?} {:?} {}", x.checked_neg(), x.checked_abs(), (x + 1).abs());
    // a hot loop, so that the tiered engine compiles something
    let mut h: u64 = 1469598103934665603;
    let mut sieve = vec![true; 200_000];
    let mut primes = 0u32;
    for i in 2..sieve.len() {
        if sieve[i] {
            primes += 1;
            h = (h ^ i as u64).wrapping_mul(1099511628211);
            let mut j = i * i;
            while j < sieve.len() {
                sieve[j] = false;
                j += i;
            }
        }
    }
    println!("{} primes below 200000, hash {:016x}", primes, h);
}

fn floats() {
    println!("f64 {} {} {} {}", 0.1 + 0.2, 1.0 / 3.0, 2.0f64.sqrt(), 1e300 * 1e10);
    println!("f64 {:e} {:e} {:e} {} {:?} {}", f64::MAX, f64::MIN_POSITIVE, 5e-324, 1e-7, -0.0f64, f64::NAN);
    println!("f64 {:e} {:.3e} {:.0} {:.0} {:.0} {:10.4}|", 123456.789, 0.000123456, 0.5, 1.5, 2.5, std::f64::consts::PI);
    println!("f32 {} {} {} {}", 16777217.0f32, 0.1f32 + 0.2f32, 1.0f32 / 3.0, f32::EPSILON);
    println!("parse {:?} {:?} {:?} {:?}", "3.14159".parse::<f64>(), "1e-400".parse::<f64>(), "-inf".parse::<f64>(), "nope".parse::<f64>());
    // saturating float-to-int casts
    println!("casts {} {} {} {} {} {}", 1e20 as i32, -1e20 as i64, f64::NAN as u32, -1.5f64 as u8, 255.9f64 as u8, 2.9f32 as i8);
    println!("round {} {} {} {} {}", 2.5f64.round(), (-2.5f64).round(), 2.5f64.floor(), (-2.5f64).ceil(), 7.75f64.trunc());
    println!("powi {} {} {}", 1.5f64.powi(10), 2f64.powi(-3), 10f64.powi(22));
    // libm (musl's in wasi-libc, glibc's natively): 10 digits agree
    println!("libm {:.10} {:.10} {:.10} {:.10} {:.10}", 1f64.exp(), 10f64.ln(), 0.5f64.sin(), 2f64.atan2(3.0), 2f64.powf(0.5));
    let mut fl = vec![3.5, -0.0, f64::INFINITY, -1e-9, 0.0, 2.25, f64::NEG_INFINITY];
    fl.sort_by(|a, b| a.total_cmp(b));
    println!("sorted {:?}", fl);
    let mean = fl[1..fl.len() - 1].iter().sum::<f64>() / 5.0;
    println!("mean {:.6} bits {:#018x} {:#010x}", mean, 1.0f64.to_bits(), (-2.5f32).to_bits());
    println!("from bits {} {}", f64::from_bits(0x4009_21fb_5444_2d18), f32::from_bits(0x7f80_0000));
}

fn times() {
    let t0 = Instant::now();
    let mut x = 0u64;
    for i in 0..100_000u64 {
        x = x.wrapping_add(i * i);
    }
    let t1 = Instant::now();
    let d = t1.duration_since(t0);
    println!("busy {} monotonic {} under a minute {}", x, t1 >= t0, d < Duration::from_secs(60));
    println!("elapsed non-negative {}", t0.elapsed() >= d);
    let since = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970");
    println!("after 2020 {}", since > Duration::from_secs(1_577_836_800));
    let t2 = Instant::now();
    std::thread::sleep(Duration::from_millis(20)); // poll_oneoff on a clock
    println!("slept at least 20 ms: {}", t2.elapsed() >= Duration::from_millis(20));
    let d = Duration::from_millis(1500) + Duration::from_micros(250);
    println!("duration {:?} {:?} {} {}", d, d * 3, d.as_secs_f64(), d.as_nanos());
}

// recursion 20000 deep, and 48 MiB of vectors: memory.grow
#[inline(never)]
fn depth(n: u32, v: &mut Vec<u32>) -> u64 {
    if n == 0 {
        return v.len() as u64;
    }
    v.push(n);
    let r = depth(n - 1, v);
    r.wrapping_mul(31).wrapping_add(v.pop().unwrap() as u64)
}

fn memory() {
    let mut v = Vec::new();
    println!("recursion {}", depth(20000, &mut v));
    let mut big: Vec<u64> = Vec::new();
    for i in 0..(32u64 << 20) / 8 {
        big.push(i ^ (i >> 3));
    }
    let bytes = vec![7u8; 16 << 20];
    println!("{} MiB: {} {}", 48, big.iter().fold(0u64, |a, &b| a.wrapping_add(b)), bytes.iter().map(|&b| b as u64).sum::<u64>());
}

fn main() {
    collections();
    memory();
    strings();
    integers();
    floats();
    times();
}
