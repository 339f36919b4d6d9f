//! Property test: random make / slice / slice3 / append / copy / set / get
//! sequences over several live slices, against a plain model of backing
//! arrays (which slices alias which array, and what each element is). After
//! every step an invariant check compares every live slice with the model.
//!
//! `PROPTEST_CASES` sets the number of cases (`cargo xtask verify --deep`
//! raises it).

use goslice::{ElemType, GoVersion, RuntimeError, Slice, append_cap};
use proptest::prelude::*;

/// The model: arrays are plain vectors; a slice names one (or none).
#[derive(Clone, Debug, PartialEq)]
enum ModelArray {
    Nil,
    ZeroBase,
    Heap(usize),
}

#[derive(Clone, Debug)]
struct ModelSlice {
    array: ModelArray,
    offset: usize,
    len: usize,
    cap: usize,
    version: GoVersion,
}

#[derive(Default)]
struct Model {
    arrays: Vec<Vec<i32>>,
    slices: Vec<ModelSlice>,
}

impl Model {
    fn view(&self, s: &ModelSlice, upto: usize) -> Vec<i32> {
        match s.array {
            ModelArray::Heap(a) => self.arrays[a][s.offset..s.offset + upto].to_vec(),
            _ => Vec::new(),
        }
    }

    fn new_array(&mut self, contents: Vec<i32>) -> ModelArray {
        if contents.is_empty() {
            return ModelArray::ZeroBase;
        }
        self.arrays.push(contents);
        ModelArray::Heap(self.arrays.len() - 1)
    }

    fn append(&mut self, s: &ModelSlice, values: &[i32]) -> ModelSlice {
        let new_len = s.len + values.len();
        if new_len <= s.cap {
            if let ModelArray::Heap(a) = s.array {
                self.arrays[a][s.offset + s.len..s.offset + new_len].copy_from_slice(values);
            }
            return ModelSlice {
                len: new_len,
                ..s.clone()
            };
        }
        let cap = append_cap(s.version, ElemType::of::<i32>(), s.len, s.cap, values.len()).unwrap();
        let mut contents = self.view(s, s.len);
        contents.extend_from_slice(values);
        contents.resize(cap, 0);
        let array = self.new_array(contents);
        ModelSlice {
            array,
            offset: 0,
            len: new_len,
            cap,
            version: s.version,
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    Make {
        len: usize,
        extra: usize,
        version: u32,
    },
    Nil,
    Literal(Vec<i32>),
    Slice {
        s: usize,
        lo: usize,
        hi: Option<usize>,
    },
    Slice3 {
        s: usize,
        lo: usize,
        hi: usize,
        max: usize,
    },
    Append {
        s: usize,
        values: Vec<i32>,
    },
    AppendSelf {
        s: usize,
        other: usize,
    },
    Copy {
        dst: usize,
        src: usize,
    },
    Set {
        s: usize,
        index: usize,
        value: i32,
    },
    Get {
        s: usize,
        index: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let ix = 0usize..8;
    prop_oneof![
        (0usize..6, 0usize..6, 9u32..=27).prop_map(|(len, extra, version)| Op::Make {
            len,
            extra,
            version
        }),
        Just(Op::Nil),
        prop::collection::vec(-50i32..50, 0..6).prop_map(Op::Literal),
        (ix.clone(), 0usize..8, prop::option::of(0usize..10)).prop_map(|(s, lo, hi)| Op::Slice {
            s,
            lo,
            hi
        }),
        (ix.clone(), 0usize..6, 0usize..8, 0usize..10).prop_map(|(s, lo, hi, max)| Op::Slice3 {
            s,
            lo,
            hi,
            max
        }),
        (ix.clone(), prop::collection::vec(-50i32..50, 0..5))
            .prop_map(|(s, values)| Op::Append { s, values }),
        (ix.clone(), ix.clone()).prop_map(|(s, other)| Op::AppendSelf { s, other }),
        (ix.clone(), ix.clone()).prop_map(|(dst, src)| Op::Copy { dst, src }),
        (ix.clone(), 0usize..8, -50i32..50).prop_map(|(s, index, value)| Op::Set {
            s,
            index,
            value
        }),
        (ix, 0usize..8).prop_map(|(s, index)| Op::Get { s, index }),
    ]
}

/// Every live slice agrees with the model: length, capacity, nil-ness, the
/// elements up to its capacity, and which slices share an array.
fn check(model: &Model, live: &[Slice<i32>]) {
    for (m, s) in model.slices.iter().zip(live) {
        assert_eq!((s.len(), s.cap()), (m.len, m.cap), "header of {m:?}");
        assert_eq!(s.is_nil(), m.array == ModelArray::Nil);
        assert_eq!(s.version(), m.version);
        assert_eq!(s.to_vec(), model.view(m, m.len), "elements of {m:?}");
        assert_eq!(
            s.slice(..s.cap()).to_vec(),
            model.view(m, m.cap),
            "spare capacity of {m:?}"
        );
    }
    for (i, (mi, si)) in model.slices.iter().zip(live).enumerate() {
        for (mj, sj) in model.slices.iter().zip(live).skip(i) {
            let same = mi.array == mj.array && !matches!(mi.array, ModelArray::Nil);
            assert_eq!(si.shares_array(sj), same, "{mi:?} vs {mj:?}");
            if same {
                assert_eq!(
                    si.addr() == sj.addr(),
                    mi.offset == mj.offset || mi.array == ModelArray::ZeroBase
                );
            }
        }
    }
}

/// Where `s[lo:...]` starts: `lo` elements on, unless the result has no
/// capacity, when Go's compiler keeps the old pointer.
fn reslice_offset(s: &ModelSlice, lo: usize, cap: usize) -> usize {
    if cap == 0 { s.offset } else { s.offset + lo }
}

fn pick(n: usize, i: usize) -> Option<usize> {
    (n > 0).then(|| i % n)
}

fn run(ops: Vec<Op>) {
    let mut model = Model::default();
    let mut live: Vec<Slice<i32>> = Vec::new();
    let push = |model: &mut Model, live: &mut Vec<Slice<i32>>, m: ModelSlice, s: Slice<i32>| {
        // Keep a bounded window of live slices, oldest dropped first.
        if live.len() == 8 {
            live.remove(0);
            model.slices.remove(0);
        }
        live.push(s);
        model.slices.push(m);
    };
    for op in ops {
        let n = live.len();
        match op {
            Op::Make {
                len,
                extra,
                version,
            } => {
                let version = GoVersion::from_minor(version).unwrap();
                let s = Slice::<i32>::make(len, len + extra).with_version(version);
                let array = model.new_array(vec![0; len + extra]);
                push(
                    &mut model,
                    &mut live,
                    ModelSlice {
                        array,
                        offset: 0,
                        len,
                        cap: len + extra,
                        version,
                    },
                    s,
                );
            }
            Op::Nil => {
                let m = ModelSlice {
                    array: ModelArray::Nil,
                    offset: 0,
                    len: 0,
                    cap: 0,
                    version: GoVersion::LATEST,
                };
                push(&mut model, &mut live, m, Slice::nil());
            }
            Op::Literal(values) => {
                let array = model.new_array(values.clone());
                let m = ModelSlice {
                    array,
                    offset: 0,
                    len: values.len(),
                    cap: values.len(),
                    version: GoVersion::LATEST,
                };
                push(&mut model, &mut live, m, Slice::from(values));
            }
            Op::Slice { s, lo, hi } => {
                let Some(i) = pick(n, s) else { continue };
                let m = model.slices[i].clone();
                let got = match hi {
                    Some(hi) => live[i].try_slice(lo..hi),
                    None => live[i].try_slice(lo..),
                };
                let hi = hi.unwrap_or(m.len);
                let want = if hi > m.cap {
                    Err(RuntimeError::SliceHighOverCap { hi, cap: m.cap })
                } else if lo > hi {
                    Err(RuntimeError::SliceLowOverHigh { lo, hi })
                } else {
                    Ok(ModelSlice {
                        offset: reslice_offset(&m, lo, m.cap - lo),
                        len: hi - lo,
                        cap: m.cap - lo,
                        ..m
                    })
                };
                match (got, want) {
                    (Ok(s), Ok(m)) => push(&mut model, &mut live, m, s),
                    (Err(e), Err(w)) => assert_eq!(e, w),
                    (got, want) => panic!("slice: got {got:?}, model says {want:?}"),
                }
            }
            Op::Slice3 { s, lo, hi, max } => {
                let Some(i) = pick(n, s) else { continue };
                let m = model.slices[i].clone();
                let got = live[i].try_slice3(lo, hi, max);
                let ok = max <= m.cap && hi <= max && lo <= hi;
                assert_eq!(got.is_ok(), ok, "slice3 [{lo}:{hi}:{max}] of {m:?}");
                if let Ok(s) = got {
                    let m = ModelSlice {
                        offset: reslice_offset(&m, lo, max - lo),
                        len: hi - lo,
                        cap: max - lo,
                        ..m
                    };
                    push(&mut model, &mut live, m, s);
                }
            }
            Op::Append { s, values } => {
                let Some(i) = pick(n, s) else { continue };
                let m = model.slices[i].clone();
                let s = live[i].append_all(&values);
                let m = model.append(&m, &values);
                push(&mut model, &mut live, m, s);
            }
            Op::AppendSelf { s, other } => {
                let (Some(i), Some(j)) = (pick(n, s), pick(n, other)) else {
                    continue;
                };
                let values = model.view(&model.slices[j], model.slices[j].len);
                let m = model.slices[i].clone();
                let s = live[i].append_slice(&live[j]);
                let m = model.append(&m, &values);
                push(&mut model, &mut live, m, s);
            }
            Op::Copy { dst, src } => {
                let (Some(d), Some(s)) = (pick(n, dst), pick(n, src)) else {
                    continue;
                };
                let copied = live[d].copy_from(&live[s]);
                let (md, ms) = (model.slices[d].clone(), model.slices[s].clone());
                let count = md.len.min(ms.len);
                let values = model.view(&ms, count);
                if let ModelArray::Heap(a) = md.array {
                    model.arrays[a][md.offset..md.offset + count].copy_from_slice(&values);
                }
                assert_eq!(copied, count);
            }
            Op::Set { s, index, value } => {
                let Some(i) = pick(n, s) else { continue };
                let m = model.slices[i].clone();
                let got = live[i].try_set(index, value);
                if index < m.len {
                    assert_eq!(got, Ok(()));
                    let ModelArray::Heap(a) = m.array else {
                        unreachable!("len > 0 has an array")
                    };
                    model.arrays[a][m.offset + index] = value;
                } else {
                    assert_eq!(
                        got,
                        Err(RuntimeError::IndexOutOfRange { index, len: m.len })
                    );
                }
            }
            Op::Get { s, index } => {
                let Some(i) = pick(n, s) else { continue };
                let m = &model.slices[i];
                let want = model.view(m, m.len).get(index).copied();
                assert_eq!(live[i].try_get(index).ok(), want);
            }
        }
        check(&model, &live);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn slices_match_a_model_of_backing_arrays(ops in prop::collection::vec(op(), 1..60)) {
        run(ops);
    }
}

#[test]
fn zero_sized_elements_share_zerobase_and_cap_follows_len() {
    let s: Slice<()> = Slice::nil();
    let mut t = s.clone();
    for n in 1..=100 {
        t = t.append(());
        assert_eq!((t.len(), t.cap()), (n, n));
    }
    let u = Slice::<()>::make(3, 10);
    assert!(t.shares_array(&u) && t.addr() == u.addr());
    assert!(!t.shares_array(&s));
}
