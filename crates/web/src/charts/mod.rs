//! Charts, one module per chart, each a `draw(canvas, &data) -> Result<(), ChartError>` on plotters'
//! canvas backend. Lines differ by pattern as well as colour and carry labels, so a chart reads without
//! colour; text and grid use a mid grey that works on the light and the dark theme.

pub mod lag;
pub mod latency;

use std::fmt;

use plotters::style::RGBColor;

/// Text and axes.
pub(crate) const INK: RGBColor = RGBColor(128, 128, 128);
/// The synchronous flow (solid).
pub(crate) const SYNC: RGBColor = RGBColor(214, 96, 47);
/// The event-driven flow (dashed).
pub(crate) const EVENT: RGBColor = RGBColor(52, 101, 214);
/// One colour per service, cycled; services are also told apart by pattern and label.
pub(crate) const SERVICES: [RGBColor; 6] = [
    RGBColor(52, 101, 214),
    RGBColor(214, 96, 47),
    RGBColor(46, 160, 67),
    RGBColor(150, 80, 190),
    RGBColor(190, 150, 30),
    RGBColor(40, 160, 170),
];

/// A chart could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError(pub String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chart: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

/// A fresh plotters backend on `canvas`, cleared of the previous frame (filling with a transparent colour
/// would paint over it, not erase it).
pub(crate) fn backend(
    canvas: web_sys::HtmlCanvasElement,
) -> Result<plotters_canvas::CanvasBackend, ChartError> {
    use wasm_bindgen::JsCast;
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        .ok_or_else(|| ChartError("no 2D context".into()))?;
    context.clear_rect(
        0.0,
        0.0,
        f64::from(canvas.width()),
        f64::from(canvas.height()),
    );
    plotters_canvas::CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| ChartError("no 2D context".into()))
}

/// A chart builder in the charts' style: margins, a caption and label areas (the y area sized to the
/// widest tick label).
pub(crate) fn frame<'a, 'b, DB: plotters::prelude::DrawingBackend>(
    root: &'a plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    y_label_area: u32,
) -> plotters::prelude::ChartBuilder<'a, 'b, DB> {
    use plotters::style::IntoFont;
    let mut builder = plotters::prelude::ChartBuilder::on(root);
    builder
        .margin(12)
        .caption(caption, ("sans-serif", 15).into_font().color(&INK))
        .x_label_area_size(36)
        .y_label_area_size(y_label_area);
    builder
}

/// Draws the series legend in the charts' style at `position`.
pub(crate) fn draw_legend<'a, DB, CT>(
    chart: &mut plotters::chart::ChartContext<'a, DB, CT>,
    position: plotters::chart::SeriesLabelPosition,
) -> Result<(), ChartError>
where
    DB: plotters::prelude::DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: plotters::coord::CoordTranslate,
{
    use plotters::style::{Color, IntoFont};
    chart
        .configure_series_labels()
        .position(position)
        .label_font(("sans-serif", 12).into_font().color(&INK))
        .border_style(INK.mix(0.4))
        .draw()
        .map_err(failed)
}

/// Converts any plotters error into a [`ChartError`].
pub(crate) fn failed(err: impl fmt::Display) -> ChartError {
    ChartError(err.to_string())
}
