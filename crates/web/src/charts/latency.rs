//! The response-time distribution of both flows on one chart: a CDF on a logarithmic time axis, so the
//! synchronous chain's hundreds of milliseconds and the event-driven few milliseconds both show.

use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{ChartError, Corner, EVENT, SYNC, backend, draw_legend, failed, frame, style_mesh};

/// What the chart shows: each flow's `[ms, fraction]` CDF points.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LatencyData {
    /// The synchronous chain.
    pub sync: Vec<[f64; 2]>,
    /// The event-driven flow.
    pub event: Vec<[f64; 2]>,
}

/// Draws `data` on `canvas`.
///
/// # Errors
/// [`ChartError`] if the canvas has no 2D context or plotters fails.
pub fn draw(canvas: HtmlCanvasElement, data: &LatencyData) -> Result<(), ChartError> {
    let root = backend(canvas)?.into_drawing_area();
    let all = data.sync.iter().chain(&data.event).map(|p| p[0].max(0.1));
    let max = all.fold(1.0_f64, f64::max) * 1.2;
    let mut chart = frame(
        &root,
        "What the user waits (share of orders answered within t)",
        44,
    )
    .build_cartesian_2d((0.1_f64..max).log_scale(), 0.0_f64..1.0)
    .map_err(failed)?;
    style_mesh(
        chart
            .configure_mesh()
            .x_desc("response time (ms, log scale)")
            .y_desc("share of orders"),
    )
    .draw()
    .map_err(failed)?;
    let points = |cdf: &[[f64; 2]]| {
        cdf.iter()
            .map(|p| (p[0].max(0.1), p[1]))
            .collect::<Vec<_>>()
    };
    chart
        .draw_series(LineSeries::new(points(&data.sync), SYNC.stroke_width(3)))
        .map_err(failed)?;
    chart
        .draw_series(DashedLineSeries::new(
            points(&data.event),
            8,
            5,
            EVENT.stroke_width(3),
        ))
        .map_err(failed)?;
    draw_legend(
        &chart,
        Corner::LowerRight,
        &[
            ("synchronous chain (solid)", SYNC.stroke_width(3)),
            ("event-driven (dashed)", EVENT.stroke_width(3)),
        ],
    )?;
    root.present().map_err(failed)
}
