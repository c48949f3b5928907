//! Capacity, quota and forecast: whether the team has the reps for its leads and the leads for
//! its quota, and what the open pool should bring (PRODUCT.md, research figures).

use serde::{Deserialize, Serialize};

/// Raw inquiries a rep needs per expected sale.
pub const RAW_PER_SALE: u32 = 10;
/// Qualified leads a rep needs per expected sale.
pub const QUALIFIED_PER_SALE: u32 = 5;
/// About one inquirer in five should buy from you.
pub const BUY_FROM_US: f64 = 0.2;

/// One rep's load now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepLoad {
    pub rep_id: String,
    pub name: String,
    pub territory: String,
    /// Open leads the rep holds.
    pub open: u32,
    /// Sales expected a month.
    pub monthly_quota: u32,
}

impl RepLoad {
    pub fn over_capacity(&self, capacity: u32) -> bool {
        self.open > capacity
    }
}

/// Lead flow in one territory over the last 30 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerritoryFlow {
    pub territory: String,
    /// Leads given to the territory's reps.
    pub raw: u32,
    /// ... of which reached a conversation.
    pub qualified: u32,
}

/// One territory's leads against its quota.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TerritoryPlan {
    pub territory: String,
    pub reps: u32,
    pub quota: u32,
    pub raw: u32,
    pub raw_needed: u32,
    pub qualified: u32,
    pub qualified_needed: u32,
    /// Sales the lead flow supports: raw ÷ 10, or qualified ÷ 5 when that is higher.
    pub supported_sales: f64,
}

impl TerritoryPlan {
    pub fn short_of_leads(&self) -> bool {
        self.supported_sales < f64::from(self.quota)
    }
}

/// Closures over a year a team needs before its own close rate forecasts its sales; below it the
/// research rate is used, and the board says so.
pub const MIN_CLOSURES: u32 = 30;

/// Which close rate a forecast used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RateSource {
    /// The team's own, from enough closures.
    Team,
    /// The research figure (1 in 5 buys from you): the team has too few closures to judge.
    Research,
}

/// Sales expected from the open pool, and the rate behind them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub sales: f64,
    pub rate: f64,
    pub source: RateSource,
}

/// What was closed over the last year, for the team's own close rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedYear {
    pub won: u32,
    pub dead: u32,
    pub won_cents: i64,
}

/// Leads nobody followed up, and what their campaigns cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfollowed {
    /// Open leads with no call attempt or meeting.
    pub ghosts: u32,
    /// Leads closed dead in the last year without a conversation.
    pub dead_unspoken: u32,
    /// Campaign spend on those leads (their source's cost per lead).
    pub spend_cents: i64,
}

/// Everything the capacity and forecast board shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outlook {
    pub capacity: u32,
    pub reps: Vec<RepLoad>,
    pub territories: Vec<TerritoryPlan>,
    /// Open leads waiting in the qualifier queue because reps were full.
    pub overflow: u32,
    /// Reps to add so every rep-bound lead fits under capacity (0 when none).
    pub reps_to_add: u32,
    pub open_pool: u32,
    pub closed: ClosedYear,
    pub unfollowed: Unfollowed,
    /// The team's currency, for its amounts ("USD").
    pub currency: String,
}

impl Outlook {
    /// Builds the board. `rep_bound` is every open lead held by a rep or waiting for one.
    pub fn build(
        capacity: u32,
        reps: Vec<RepLoad>,
        flows: &[TerritoryFlow],
        overflow: u32,
        open_pool: u32,
        closed: ClosedYear,
        unfollowed: Unfollowed,
    ) -> Self {
        let mut territories: Vec<TerritoryPlan> = Vec::new();
        for rep in &reps {
            match territories
                .iter_mut()
                .find(|t| t.territory == rep.territory)
            {
                Some(plan) => {
                    plan.reps += 1;
                    plan.quota += rep.monthly_quota;
                }
                None => territories.push(TerritoryPlan {
                    territory: rep.territory.clone(),
                    reps: 1,
                    quota: rep.monthly_quota,
                    raw: 0,
                    raw_needed: 0,
                    qualified: 0,
                    qualified_needed: 0,
                    supported_sales: 0.0,
                }),
            }
        }
        for plan in &mut territories {
            if let Some(flow) = flows.iter().find(|f| f.territory == plan.territory) {
                plan.raw = flow.raw;
                plan.qualified = flow.qualified;
            }
            plan.raw_needed = plan.quota * RAW_PER_SALE;
            plan.qualified_needed = plan.quota * QUALIFIED_PER_SALE;
            plan.supported_sales = (f64::from(plan.raw) / f64::from(RAW_PER_SALE))
                .max(f64::from(plan.qualified) / f64::from(QUALIFIED_PER_SALE));
        }
        territories.sort_by(|a, b| a.territory.cmp(&b.territory));
        let rep_bound: u32 = reps.iter().map(|r| r.open).sum::<u32>() + overflow;
        let reps_needed = rep_bound.div_ceil(capacity.max(1));
        Self {
            capacity,
            reps_to_add: reps_needed.saturating_sub(reps.len() as u32),
            reps,
            territories,
            overflow,
            open_pool,
            closed,
            unfollowed,
            currency: "USD".to_string(),
        }
    }

    /// An amount of the team's money: "USD 4,800.00".
    pub fn money(&self, cents: i64) -> String {
        crate::domain::money::with_currency(
            crate::domain::campaign::cents_text(cents),
            &self.currency,
        )
    }

    /// The team's own close rate over the last year: won ÷ (won + dead).
    pub fn close_rate(&self) -> Option<f64> {
        let closed = self.closed.won + self.closed.dead;
        (closed > 0).then(|| f64::from(self.closed.won) / f64::from(closed))
    }

    pub fn average_deal_cents(&self) -> Option<i64> {
        (self.closed.won > 0).then(|| self.closed.won_cents / i64::from(self.closed.won))
    }

    /// Closures (won or dead) over the last year: the sample the team's own rate comes from.
    pub fn closures(&self) -> u32 {
        self.closed.won + self.closed.dead
    }

    /// Sales to expect from the open pool: at the team's own close rate once it rests on at
    /// least [`MIN_CLOSURES`] closures, else at the research rate.
    pub fn forecast(&self) -> Forecast {
        match self.close_rate() {
            Some(rate) if self.closures() >= MIN_CLOSURES => Forecast {
                sales: f64::from(self.open_pool) * rate,
                rate,
                source: RateSource::Team,
            },
            _ => Forecast {
                sales: self.expected_by_research(),
                rate: BUY_FROM_US,
                source: RateSource::Research,
            },
        }
    }

    /// What the forecast rests on, in words.
    pub fn forecast_basis(&self) -> String {
        let closures = self.closures();
        match (self.forecast().source, self.close_rate()) {
            (RateSource::Team, Some(rate)) => format!(
                "at the team's own close rate, {:.0}% from {closures} closures in 12 months",
                rate * 100.0
            ),
            (_, Some(rate)) => format!(
                "at the research rate (1 in 5 buys from you): the team's own {:.0}% comes from {closures} closures, too few to judge (at least {MIN_CLOSURES} needed)",
                rate * 100.0
            ),
            (_, None) => format!(
                "at the research rate (1 in 5 buys from you): no closures of the team's own yet (at least {MIN_CLOSURES} needed)"
            ),
        }
    }

    /// Sales to expect from the open pool at the research rate (1 in 5).
    pub fn expected_by_research(&self) -> f64 {
        f64::from(self.open_pool) * BUY_FROM_US
    }

    /// Sales to expect from the open pool at the team's own close rate.
    pub fn expected_by_team(&self) -> Option<f64> {
        self.close_rate()
            .map(|rate| f64::from(self.open_pool) * rate)
    }

    /// Sales the unfollowed leads should have brought at the research rate.
    pub fn lost_sales(&self) -> f64 {
        f64::from(self.unfollowed.ghosts + self.unfollowed.dead_unspoken) * BUY_FROM_US
    }

    /// What those lost sales were worth at the team's average deal.
    pub fn lost_revenue_cents(&self) -> Option<i64> {
        self.average_deal_cents()
            .map(|deal| (self.lost_sales() * deal as f64).round() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(id: &str, territory: &str, open: u32, quota: u32) -> RepLoad {
        RepLoad {
            rep_id: id.into(),
            name: id.into(),
            territory: territory.into(),
            open,
            monthly_quota: quota,
        }
    }

    fn outlook() -> Outlook {
        Outlook::build(
            150,
            vec![
                rep("ann", "North", 160, 4),
                rep("bob", "North", 100, 4),
                rep("cy", "South", 150, 5),
            ],
            &[
                TerritoryFlow {
                    territory: "North".into(),
                    raw: 60,
                    qualified: 35,
                },
                TerritoryFlow {
                    territory: "South".into(),
                    raw: 80,
                    qualified: 10,
                },
            ],
            40,
            1_000,
            ClosedYear {
                won: 30,
                dead: 270,
                won_cents: 30 * 500_000,
            },
            Unfollowed {
                ghosts: 20,
                dead_unspoken: 30,
                spend_cents: 123,
            },
        )
    }

    #[test]
    fn territories_add_their_reps_quotas_and_need_ten_raw_or_five_qualified_per_sale() {
        let o = outlook();
        let north = &o.territories[0];
        assert_eq!(
            (north.territory.as_str(), north.reps, north.quota),
            ("North", 2, 8)
        );
        assert_eq!((north.raw_needed, north.qualified_needed), (80, 40));
        assert!(
            (north.supported_sales - 7.0).abs() < 1e-9,
            "35 qualified / 5"
        );
        assert!(north.short_of_leads());
        let south = &o.territories[1];
        assert!((south.supported_sales - 8.0).abs() < 1e-9, "80 raw / 10");
        assert!(
            !south.short_of_leads(),
            "8 supported sales cover a quota of 5"
        );
    }

    #[test]
    fn overflow_past_capacity_asks_for_more_reps() {
        let o = outlook();
        // 160 + 100 + 150 held + 40 waiting = 450 → 3 reps at 150 each: none to add.
        assert_eq!(o.reps_to_add, 0);
        assert!(o.reps[0].over_capacity(150));
        let more = Outlook::build(
            150,
            vec![rep("ann", "N", 150, 4)],
            &[],
            151,
            0,
            ClosedYear::default(),
            Unfollowed::default(),
        );
        assert_eq!(more.reps_to_add, 2);
    }

    #[test]
    fn three_closures_are_too_few_and_the_forecast_says_it_used_the_research_rate() {
        let small = Outlook {
            closed: ClosedYear {
                won: 2,
                dead: 1,
                won_cents: 0,
            },
            open_pool: 33,
            ..outlook()
        };
        let forecast = small.forecast();
        assert_eq!(forecast.source, RateSource::Research);
        assert!(
            (forecast.sales - 6.6).abs() < 1e-9,
            "33 at 1 in 5, not 22 at 67%"
        );
        assert_eq!(
            small.forecast_basis(),
            "at the research rate (1 in 5 buys from you): the team's own 67% comes from 3 closures, too few to judge (at least 30 needed)"
        );
        let large = Outlook {
            closed: ClosedYear {
                won: 10,
                dead: 30,
                won_cents: 0,
            },
            open_pool: 100,
            ..outlook()
        };
        assert_eq!(large.forecast().source, RateSource::Team);
        assert!((large.forecast().sales - 25.0).abs() < 1e-9);
        assert!(large.forecast_basis().contains("25% from 40 closures"));
    }

    #[test]
    fn the_forecast_uses_the_research_rate_and_the_teams_own() {
        let o = outlook();
        assert!((o.expected_by_research() - 200.0).abs() < 1e-9);
        assert!((o.expected_by_team().unwrap() - 100.0).abs() < 1e-9);
        assert_eq!(o.average_deal_cents(), Some(500_000));
        assert!((o.lost_sales() - 10.0).abs() < 1e-9);
        assert_eq!(o.lost_revenue_cents(), Some(5_000_000));
    }
}
