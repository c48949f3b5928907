//! The value of leads per campaign (source): what each brought in, how sales followed it up,
//! what it earned, and what its unfollowed leads wasted.

use crate::domain::cadence::Policy;
use crate::domain::lead::Stage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the table needs of one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignLead {
    pub received_at: DateTime<Utc>,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub reached: bool,
    pub stage: Stage,
    pub handed_back: bool,
    pub won_cents: Option<i64>,
}

/// One campaign's line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignLine {
    pub name: String,
    pub cost_cents: i64,
    pub leads: u32,
    /// First call attempt inside the first-contact SLA.
    pub within_sla: u32,
    /// Never called or met: the leads nobody followed up.
    pub never_followed_up: u32,
    /// Had a conversation.
    pub reached: u32,
    pub in_nurture: u32,
    pub handed_back: u32,
    pub won: u32,
    /// Handed back by marketing at least once, then bought.
    pub recycled_then_won: u32,
    pub revenue_cents: i64,
}

impl CampaignLine {
    /// Counts `leads` of one campaign.
    pub fn tally(name: &str, cost_cents: i64, leads: &[CampaignLead], policy: &Policy) -> Self {
        let mut line = CampaignLine {
            name: name.to_string(),
            cost_cents,
            ..CampaignLine::default()
        };
        for lead in leads {
            line.leads += 1;
            match lead.first_attempt_at {
                Some(at)
                    if policy.sla_waited(lead.received_at, at, None) <= policy.first_contact =>
                {
                    line.within_sla += 1;
                }
                Some(_) => {}
                None => line.never_followed_up += 1,
            }
            line.reached += u32::from(lead.reached);
            line.in_nurture += u32::from(lead.stage == Stage::Nurture);
            line.handed_back += u32::from(lead.handed_back);
            if let Some(cents) = lead.won_cents {
                line.won += 1;
                line.revenue_cents += cents;
                line.recycled_then_won += u32::from(lead.handed_back);
            }
        }
        line
    }

    /// Share of leads, in whole percent (0 when there are none).
    pub fn percent(&self, part: u32) -> u32 {
        if self.leads == 0 {
            0
        } else {
            u32::try_from(u64::from(part) * 100 / u64::from(self.leads)).unwrap_or(100)
        }
    }

    /// Cost per lead in cents (the whole cost when there are no leads).
    pub fn cost_per_lead_cents(&self) -> i64 {
        if self.leads == 0 {
            self.cost_cents
        } else {
            self.cost_cents / i64::from(self.leads)
        }
    }

    /// The part of the spend that bought leads nobody followed up.
    pub fn wasted_cents(&self) -> i64 {
        self.cost_per_lead_cents() * i64::from(self.never_followed_up)
    }
}

/// Cents as "1,234.56".
pub fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-04-01T10:00:00Z")
            .expect("a time")
            .with_timezone(&Utc)
    }

    fn lead(
        first_attempt_minutes: Option<i64>,
        reached: bool,
        stage: Stage,
        handed_back: bool,
        won: Option<i64>,
    ) -> CampaignLead {
        CampaignLead {
            received_at: t0(),
            first_attempt_at: first_attempt_minutes.map(|m| t0() + Duration::minutes(m)),
            reached,
            stage,
            handed_back,
            won_cents: won,
        }
    }

    #[test]
    fn a_campaign_line_counts_follow_up_outcomes_and_money() {
        let leads = [
            lead(Some(3), true, Stage::Won, true, Some(500_000)),
            lead(Some(40), true, Stage::Qualifying, false, None),
            lead(None, false, Stage::Assigned, false, None),
            lead(Some(2), false, Stage::Nurture, false, None),
        ];
        let line = CampaignLine::tally("Trade show", 200_000, &leads, &Policy::default());
        assert_eq!(line.leads, 4);
        assert_eq!(line.within_sla, 2);
        assert_eq!(line.never_followed_up, 1);
        assert_eq!(line.reached, 2);
        assert_eq!(line.in_nurture, 1);
        assert_eq!(line.handed_back, 1);
        assert_eq!((line.won, line.recycled_then_won), (1, 1));
        assert_eq!(line.revenue_cents, 500_000);
        assert_eq!(line.cost_per_lead_cents(), 50_000);
        assert_eq!(
            line.wasted_cents(),
            50_000,
            "one of four leads never followed up"
        );
        assert_eq!(line.percent(line.within_sla), 50);
    }

    #[test]
    fn an_empty_campaign_has_no_shares_and_wastes_nothing() {
        let line = CampaignLine::tally("New", 10_000, &[], &Policy::default());
        assert_eq!(line.percent(0), 0);
        assert_eq!(line.wasted_cents(), 0);
    }

    #[test]
    fn cents_read_as_money() {
        assert_eq!(cents_text(123_456_789), "1,234,567.89");
        assert_eq!(cents_text(5), "0.05");
    }
}
