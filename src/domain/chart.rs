//! Geometry for the boards' bar charts, drawn as SVG by the UI: pure numbers, so the layout
//! is tested here and the browser needs no chart library.

use serde::{Deserialize, Serialize};

/// Left margin for labels, in SVG units.
pub const LABEL_WIDTH: f64 = 150.0;
/// Room right of the bars for the value text.
pub const VALUE_WIDTH: f64 = 120.0;
pub const ROW_HEIGHT: f64 = 22.0;

/// One bar, laid out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub text: String,
    pub y: f64,
    pub width: f64,
    /// The bar is past a warning mark (over capacity, under target).
    pub alarm: bool,
}

/// A horizontal bar chart with optional reference marks (a capacity, a band).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BarChart {
    pub width: f64,
    pub height: f64,
    pub bars: Vec<Bar>,
    /// x positions and labels of vertical reference lines.
    pub marks: Vec<(f64, String)>,
}

/// One value to chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    pub label: String,
    pub value: f64,
    pub text: String,
    pub alarm: bool,
}

impl BarChart {
    /// Lays out `data` in a chart `width` wide. Bars scale to `max` (or the largest value
    /// when bigger); `marks` are values to draw a reference line at.
    pub fn horizontal(data: Vec<Datum>, width: f64, max: f64, marks: &[(f64, &str)]) -> Self {
        let largest = data.iter().map(|d| d.value).fold(max, f64::max);
        let plot = (width - LABEL_WIDTH - VALUE_WIDTH).max(10.0);
        let scale = |value: f64| {
            if largest > 0.0 {
                (value.max(0.0) / largest) * plot
            } else {
                0.0
            }
        };
        let bars: Vec<Bar> = data
            .into_iter()
            .enumerate()
            .map(|(i, d)| Bar {
                y: i as f64 * ROW_HEIGHT,
                width: scale(d.value),
                label: d.label,
                text: d.text,
                alarm: d.alarm,
            })
            .collect();
        Self {
            width,
            height: (bars.len().max(1) as f64) * ROW_HEIGHT + 16.0,
            marks: marks
                .iter()
                .map(|(value, label)| (LABEL_WIDTH + scale(*value), (*label).to_string()))
                .collect(),
            bars,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datum(label: &str, value: f64) -> Datum {
        Datum {
            label: label.into(),
            value,
            text: format!("{value}"),
            alarm: false,
        }
    }

    #[test]
    fn bars_scale_to_the_maximum_and_stack_by_row() {
        let chart = BarChart::horizontal(
            vec![datum("a", 50.0), datum("b", 100.0)],
            LABEL_WIDTH + VALUE_WIDTH + 200.0,
            100.0,
            &[(60.0, "60%"), (80.0, "80%")],
        );
        assert_eq!(chart.bars[0].width, 100.0);
        assert_eq!(chart.bars[1].width, 200.0);
        assert_eq!(chart.bars[1].y, ROW_HEIGHT);
        assert_eq!(chart.marks[0].0, LABEL_WIDTH + 120.0);
        assert_eq!(chart.height, 2.0 * ROW_HEIGHT + 16.0);
    }

    #[test]
    fn a_value_past_the_scale_stretches_it() {
        let chart = BarChart::horizontal(
            vec![datum("over", 300.0)],
            LABEL_WIDTH + VALUE_WIDTH + 300.0,
            150.0,
            &[(150.0, "capacity")],
        );
        assert_eq!(chart.bars[0].width, 300.0);
        assert_eq!(chart.marks[0].0, LABEL_WIDTH + 150.0);
    }

    #[test]
    fn an_all_zero_chart_draws_empty_bars() {
        let chart = BarChart::horizontal(vec![datum("none", 0.0)], 400.0, 0.0, &[]);
        assert_eq!(chart.bars[0].width, 0.0);
    }
}
