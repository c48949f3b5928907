//! Bias watch: does a rep follow up the leads reps tend to drop (no phone, free-mail, …) less
//! than their other leads? Each gap is tested with Fisher's exact test, which stays honest on
//! the small counts one rep has, and the board shows the counts beside the verdict.

use crate::domain::compliance::median;
use crate::domain::segment::{Segment, SegmentFlags};
use serde::{Deserialize, Serialize};

/// A gap is flagged when it is this unlikely to be chance (two-sided).
pub const SIGNIFICANCE: f64 = 0.05;

/// Fewer leads than this on either side of a comparison, and no significant gap, is too few to
/// say there is none.
pub const MIN_SAMPLE: u32 = 10;

/// Followed-up counts for one group of assignments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub leads: u32,
    /// Leads that got a call attempt or meeting.
    pub followed: u32,
    /// Leads whose first attempt came inside the first-contact SLA.
    pub within_sla: u32,
}

impl Rate {
    pub fn followed_pct(self) -> Option<u32> {
        pct(self.followed, self.leads)
    }

    pub fn within_sla_pct(self) -> Option<u32> {
        pct(self.within_sla, self.leads)
    }
}

fn pct(part: u32, whole: u32) -> Option<u32> {
    (whole > 0).then(|| ((f64::from(part) * 100.0 / f64::from(whole)).round()) as u32)
}

/// One rep on one segment against the same rep's other leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentGap {
    pub segment: Segment,
    pub inside: Rate,
    pub outside: Rate,
    /// Median minutes to first attempt on each side, where there were attempts.
    pub inside_median_minutes: Option<f64>,
    pub outside_median_minutes: Option<f64>,
    /// Two-sided p-value of the follow-up rate gap.
    pub followed_p: f64,
    /// Two-sided p-value of the within-SLA gap.
    pub sla_p: f64,
}

impl SegmentGap {
    pub fn new(
        segment: Segment,
        inside: Rate,
        outside: Rate,
        medians: (Option<f64>, Option<f64>),
    ) -> Self {
        Self {
            segment,
            followed_p: fisher_exact(
                inside.followed,
                inside.leads - inside.followed,
                outside.followed,
                outside.leads - outside.followed,
            ),
            sla_p: fisher_exact(
                inside.within_sla,
                inside.leads - inside.within_sla,
                outside.within_sla,
                outside.leads - outside.within_sla,
            ),
            inside,
            outside,
            inside_median_minutes: medians.0,
            outside_median_minutes: medians.1,
        }
    }

    /// The segment is followed up less, and that is unlikely to be chance.
    pub fn followed_less(&self) -> bool {
        self.followed_p < SIGNIFICANCE
            && lower(
                self.inside.followed,
                self.inside.leads,
                self.outside.followed,
                self.outside.leads,
            )
    }

    /// The segment is called inside the SLA less often, and that is unlikely to be chance.
    pub fn slower(&self) -> bool {
        self.sla_p < SIGNIFICANCE
            && lower(
                self.inside.within_sla,
                self.inside.leads,
                self.outside.within_sla,
                self.outside.leads,
            )
    }

    pub fn flagged(&self) -> bool {
        self.followed_less() || self.slower()
    }

    /// The comparison in words, with its p-values where it found a gap; a gap not found on
    /// fewer than [`MIN_SAMPLE`] leads a side is "too few to judge", never "no gap".
    pub fn verdict(&self) -> String {
        match (self.followed_less(), self.slower()) {
            (true, true) => format!(
                "Dropped and slow (p = {:.3} / {:.3})",
                self.followed_p, self.sla_p
            ),
            (true, false) => format!("Followed up less (p = {:.3})", self.followed_p),
            (false, true) => format!("Called late more often (p = {:.3})", self.sla_p),
            (false, false) if self.inside.leads.min(self.outside.leads) < MIN_SAMPLE => {
                format!("Too few to judge (under {MIN_SAMPLE} leads on a side)")
            }
            (false, false) => "No significant gap".to_string(),
        }
    }
}

/// a/b < c/d without division.
fn lower(a: u32, b: u32, c: u32, d: u32) -> bool {
    u64::from(a) * u64::from(d) < u64::from(c) * u64::from(b)
}

/// One rep's bias watch line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepBias {
    pub rep_id: String,
    pub name: String,
    pub gaps: Vec<SegmentGap>,
}

impl RepBias {
    pub fn flagged(&self) -> bool {
        self.gaps.iter().any(SegmentGap::flagged)
    }
}

/// Assignments of one rep sharing the same segment flags, as the database groups them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCount {
    pub rep_id: String,
    pub name: String,
    pub flags: SegmentFlags,
    pub rate: Rate,
}

/// The bias watch for every rep with assignments: per segment, the rep's leads in it against
/// the rep's other leads. `delays` are (rep, minutes to first attempt, segments) of attempted
/// assignments, for the medians.
pub fn watch(groups: &[GroupCount], delays: &[(String, f64, SegmentFlags)]) -> Vec<RepBias> {
    let mut reps: Vec<(String, String)> = Vec::new();
    for group in groups {
        if !reps.iter().any(|(id, _)| *id == group.rep_id) {
            reps.push((group.rep_id.clone(), group.name.clone()));
        }
    }
    type Own<'a> = (Vec<&'a GroupCount>, Vec<(f64, SegmentFlags)>);
    let mut by_rep: std::collections::HashMap<&str, Own> = std::collections::HashMap::new();
    for group in groups {
        by_rep
            .entry(group.rep_id.as_str())
            .or_default()
            .0
            .push(group);
    }
    for (rep, minutes, flags) in delays {
        by_rep
            .entry(rep.as_str())
            .or_default()
            .1
            .push((*minutes, *flags));
    }
    reps.into_iter()
        .map(|(rep_id, name)| {
            let (own_groups, own_delays) = by_rep.get(rep_id.as_str()).cloned().unwrap_or_default();
            let gaps = Segment::ALL
                .into_iter()
                .map(|segment| {
                    let (mut inside, mut outside) = (Rate::default(), Rate::default());
                    for group in &own_groups {
                        let side = if group.flags.has(segment) {
                            &mut inside
                        } else {
                            &mut outside
                        };
                        side.leads += group.rate.leads;
                        side.followed += group.rate.followed;
                        side.within_sla += group.rate.within_sla;
                    }
                    let (mut inside_delays, mut outside_delays) = (Vec::new(), Vec::new());
                    for (minutes, flags) in &own_delays {
                        if flags.has(segment) {
                            inside_delays.push(*minutes);
                        } else {
                            outside_delays.push(*minutes);
                        }
                    }
                    SegmentGap::new(
                        segment,
                        inside,
                        outside,
                        (median(&mut inside_delays), median(&mut outside_delays)),
                    )
                })
                .collect();
            RepBias { rep_id, name, gaps }
        })
        .collect()
}

/// ln(n!) for n up to `max`, built once per call site.
struct LnFactorials(Vec<f64>);

impl LnFactorials {
    fn up_to(max: u32) -> Self {
        let mut table = Vec::with_capacity(max as usize + 1);
        let mut acc = 0.0;
        table.push(0.0);
        for i in 1..=max {
            acc += f64::from(i).ln();
            table.push(acc);
        }
        Self(table)
    }

    fn get(&self, n: u32) -> f64 {
        self.0[n as usize]
    }
}

/// Two-sided Fisher's exact test on the 2×2 table [[a, b], [c, d]]: the probability, with the
/// margins fixed, of a table at least as extreme as this one.
pub fn fisher_exact(a: u32, b: u32, c: u32, d: u32) -> f64 {
    let n = a + b + c + d;
    if n == 0 {
        return 1.0;
    }
    let ln = LnFactorials::up_to(n);
    let (row1, row2, col1) = (a + b, c + d, a + c);
    let fixed = ln.get(row1) + ln.get(row2) + ln.get(col1) + ln.get(n - col1) - ln.get(n);
    let ln_p =
        |x: u32| fixed - ln.get(x) - ln.get(row1 - x) - ln.get(col1 - x) - ln.get(row2 + x - col1);
    let observed = ln_p(a);
    let low = col1.saturating_sub(row2);
    let high = row1.min(col1);
    let p: f64 = (low..=high)
        .map(ln_p)
        .filter(|&lp| lp <= observed + 1e-7)
        .map(f64::exp)
        .sum();
    p.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-4
    }

    #[test]
    fn fisher_matches_hand_computed_tables() {
        // The tea-tasting table: p = 0.4857 (two-sided), computed by hand from the
        // hypergeometric probabilities 1/70, 16/70, 36/70, 16/70, 1/70.
        assert!(close(fisher_exact(3, 1, 1, 3), 34.0 / 70.0));
        // [[1, 9], [11, 3]]: the classic textbook example, p = 0.002759.
        assert!(close(fisher_exact(1, 9, 11, 3), 0.002_759));
        assert!(close(fisher_exact(0, 0, 0, 0), 1.0));
        assert!(close(fisher_exact(5, 5, 5, 5), 1.0));
    }

    #[test]
    fn a_sample_of_one_is_too_few_to_judge_never_no_gap() {
        let rate = |leads, followed| Rate {
            leads,
            followed,
            within_sla: followed,
        };
        let one = SegmentGap::new(Segment::NoPhone, rate(1, 1), rate(3, 3), (None, None));
        assert!(!one.flagged());
        assert_eq!(one.verdict(), "Too few to judge (under 10 leads on a side)");
        let enough = SegmentGap::new(Segment::NoPhone, rate(12, 9), rate(15, 11), (None, None));
        assert_eq!(enough.verdict(), "No significant gap");
    }

    #[test]
    fn a_rep_who_drops_no_phone_leads_is_flagged() {
        let gap = SegmentGap::new(
            Segment::NoPhone,
            Rate {
                leads: 10,
                followed: 1,
                within_sla: 0,
            },
            Rate {
                leads: 14,
                followed: 11,
                within_sla: 9,
            },
            (Some(300.0), Some(4.0)),
        );
        assert!(gap.followed_less());
        assert!(gap.flagged());
        assert_eq!(gap.inside.followed_pct(), Some(10));
    }

    fn group(rep: &str, no_phone: bool, leads: u32, followed: u32) -> GroupCount {
        GroupCount {
            rep_id: rep.into(),
            name: rep.into(),
            flags: SegmentFlags {
                no_phone,
                ..SegmentFlags::default()
            },
            rate: Rate {
                leads,
                followed,
                within_sla: followed,
            },
        }
    }

    #[test]
    fn the_watch_splits_each_reps_leads_by_segment() {
        let groups = [
            group("ann", true, 12, 2),
            group("ann", false, 15, 14),
            group("bob", true, 5, 4),
            group("bob", false, 5, 5),
        ];
        let delays = [
            (
                "ann".to_string(),
                100.0,
                SegmentFlags {
                    no_phone: true,
                    ..SegmentFlags::default()
                },
            ),
            ("ann".to_string(), 3.0, SegmentFlags::default()),
            ("ann".to_string(), 5.0, SegmentFlags::default()),
        ];
        let watch = watch(&groups, &delays);
        let ann = &watch[0];
        let no_phone = &ann.gaps[0];
        assert_eq!(no_phone.segment, Segment::NoPhone);
        assert_eq!((no_phone.inside.leads, no_phone.inside.followed), (12, 2));
        assert_eq!(
            (no_phone.outside.leads, no_phone.outside.followed),
            (15, 14)
        );
        assert_eq!(no_phone.inside_median_minutes, Some(100.0));
        assert_eq!(no_phone.outside_median_minutes, Some(4.0));
        assert!(no_phone.flagged(), "2 of 12 against 14 of 15");
        assert!(ann.flagged());
        // Free-mail: nobody is in it, so nothing to compare.
        assert_eq!(ann.gaps[1].inside.leads, 0);
        assert!(!ann.gaps[1].flagged());
        assert!(
            !watch[1].flagged(),
            "bob: 4 of 5 against 5 of 5 proves nothing"
        );
    }

    #[test]
    fn a_small_gap_on_small_numbers_is_not_flagged() {
        let gap = SegmentGap::new(
            Segment::FreeMail,
            Rate {
                leads: 3,
                followed: 2,
                within_sla: 2,
            },
            Rate {
                leads: 5,
                followed: 4,
                within_sla: 4,
            },
            (None, None),
        );
        assert!(!gap.flagged());
    }

    #[test]
    fn a_segment_followed_more_is_not_a_bias() {
        let gap = SegmentGap::new(
            Segment::RepeatInquirer,
            Rate {
                leads: 14,
                followed: 11,
                within_sla: 11,
            },
            Rate {
                leads: 10,
                followed: 1,
                within_sla: 1,
            },
            (None, None),
        );
        assert!(!gap.flagged());
    }
}
