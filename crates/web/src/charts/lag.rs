//! Consumer lag per service over simulated time: how far behind each consumer group is.

use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{ChartError, INK, SERVICES, backend, draw_legend, failed, frame};

/// What the chart shows: per service, its name and `(seconds, lag)` points.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LagData {
    /// One line per service.
    pub services: Vec<(String, Vec<(f64, f64)>)>,
}

/// Draws `data` on `canvas`.
///
/// # Errors
/// [`ChartError`] if the canvas has no 2D context or plotters fails.
pub fn draw(canvas: HtmlCanvasElement, data: &LagData) -> Result<(), ChartError> {
    let root = backend(canvas)?.into_drawing_area();
    let points = data.services.iter().flat_map(|(_, p)| p.iter());
    let (max_t, max_lag) = points.fold((1.0_f64, 1.0_f64), |(t, l), &(x, y)| (t.max(x), l.max(y)));
    let mut chart = frame(
        &root,
        "Consumer lag per service (records not yet handled)",
        56,
    )
    .build_cartesian_2d(0.0_f64..max_t, 0.0_f64..max_lag * 1.1)
    .map_err(failed)?;
    chart
        .configure_mesh()
        .x_desc("simulated time (s)")
        .y_desc("lag")
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .axis_style(INK)
        .label_style(("sans-serif", 12).into_font().color(&INK))
        .light_line_style(INK.mix(0.15))
        .bold_line_style(INK.mix(0.3))
        .draw()
        .map_err(failed)?;
    for (i, (name, line)) in data.services.iter().enumerate() {
        let colour = SERVICES[i % SERVICES.len()];
        let style = colour.stroke_width(2);
        // Solid, then dashed, then dotted: services stay apart without colour.
        let series = chart.draw_series(match i % 3 {
            0 => DashedLineSeries::new(line.clone(), 1_000, 0, style),
            1 => DashedLineSeries::new(line.clone(), 8, 5, style),
            _ => DashedLineSeries::new(line.clone(), 2, 4, style),
        });
        series
            .map_err(failed)?
            .label(name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present().map_err(failed)
}
