//! A horizontal bar chart drawn as SVG from a laid-out [`BarChart`].

use crate::domain::chart::{BarChart, LABEL_WIDTH, ROW_HEIGHT};
use leptos::prelude::*;

#[component]
pub fn Bars(
    chart: BarChart,
    #[prop(into)] label: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let (width, height) = (chart.width, chart.height);
    let bars = chart
        .bars
        .into_iter()
        .map(|bar| {
            let text_y = bar.y + ROW_HEIGHT * 0.68;
            view! {
                <g class=if bar.alarm { "bar alarm" } else { "bar" }>
                    <text x=LABEL_WIDTH - 6.0 y=text_y text-anchor="end" class="bar-label">{bar.label}</text>
                    <rect x=LABEL_WIDTH y=bar.y + 3.0 width=bar.width height=ROW_HEIGHT - 6.0 rx="3"></rect>
                    <text x=LABEL_WIDTH + bar.width + 6.0 y=text_y class="bar-value">{bar.text}</text>
                </g>
            }
        })
        .collect_view();
    let marks = chart
        .marks
        .into_iter()
        .map(|(x, text)| {
            view! {
                <g class="mark">
                    <line x1=x x2=x y1="0" y2=height - 14.0></line>
                    <text x=x y=height - 2.0 text-anchor="middle">{text}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img" aria-label=label data-testid=testid>
            {bars}
            {marks}
        </svg>
    }
}
