//! One line per service over simulated time: consumer lag (how far behind each group is) and throughput
//! (records each group finishes per second) are drawn by this one chart with different data.

use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{ChartError, Corner, SERVICES, backend, draw_legend, failed, frame, style_mesh};

/// What the chart shows: per service, its name and `(seconds, value)` points.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceLines {
    /// The chart's caption.
    pub caption: &'static str,
    /// What the y axis measures.
    pub y_desc: &'static str,
    /// One line per service.
    pub services: Vec<(String, Vec<(f64, f64)>)>,
}

impl ServiceLines {
    /// Each service's consumer lag over time (the highest in each window), as both flow views draw it.
    #[must_use]
    pub fn lag(series: &kplay_core::sim::series::SeriesReport) -> Self {
        Self::from_series(
            "Consumer lag per service (records not yet handled, highest in each window)",
            "lag",
            series,
            |p, i| p.lag[i] as f64,
        )
    }

    /// Per service, `value(point, service index)` at each window of `series`.
    #[must_use]
    pub fn from_series(
        caption: &'static str,
        y_desc: &'static str,
        series: &kplay_core::sim::series::SeriesReport,
        value: impl Fn(&kplay_core::sim::series::Point, usize) -> f64,
    ) -> Self {
        let services = series
            .services
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let line = series
                    .points
                    .iter()
                    .map(|p| (p.t_ms / 1_000.0, value(p, i)))
                    .collect();
                (name.clone(), line)
            })
            .collect();
        Self {
            caption,
            y_desc,
            services,
        }
    }
}

/// A tick label: whole numbers, or one decimal on an axis shorter than 10.
fn tick(value: f64, axis_max: f64) -> String {
    if axis_max < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}

/// Draws `data` on `canvas`.
///
/// # Errors
/// [`ChartError`] if the canvas has no 2D context or plotters fails.
pub fn draw(canvas: HtmlCanvasElement, data: &ServiceLines) -> Result<(), ChartError> {
    let root = backend(canvas)?.into_drawing_area();
    let points = data.services.iter().flat_map(|(_, p)| p.iter());
    let (max_t, max_y) = points.fold((1.0_f64, 1.0_f64), |(t, l), &(x, y)| (t.max(x), l.max(y)));
    let mut chart = frame(&root, data.caption, 56)
        .build_cartesian_2d(0.0_f64..max_t, 0.0_f64..max_y * 1.1)
        .map_err(failed)?;
    style_mesh(
        chart
            .configure_mesh()
            .x_desc("simulated time (s)")
            .y_desc(data.y_desc)
            .y_label_formatter(&|v| tick(*v, max_y))
            .x_label_formatter(&|v| tick(*v, max_t)),
    )
    .draw()
    .map_err(failed)?;
    let mut legend = Vec::with_capacity(data.services.len());
    for (i, (name, line)) in data.services.iter().enumerate() {
        let colour = SERVICES[i % SERVICES.len()];
        let style = colour.stroke_width(2);
        legend.push((name.as_str(), style));
        // Solid, then dashed, then dotted: services stay apart without colour.
        chart
            .draw_series(match i % 3 {
                0 => DashedLineSeries::new(line.clone(), 1_000, 0, style),
                1 => DashedLineSeries::new(line.clone(), 8, 5, style),
                _ => DashedLineSeries::new(line.clone(), 2, 4, style),
            })
            .map_err(failed)?;
    }
    draw_legend(&chart, Corner::UpperRight, &legend)?;
    root.present().map_err(failed)
}
