//! Charts, one module per chart, each a `draw(canvas, &data) -> Result<(), ChartError>` on plotters'
//! canvas backend. Lines differ by pattern as well as colour and carry labels, so a chart reads without
//! colour; text and grid use a mid grey that works on the light and the dark theme.

pub mod heatmap;
pub mod latency;
pub mod service_lines;

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

/// plotters' canvas backend, measuring text with the canvas itself.
///
/// plotters sizes text (axis labels, captions, legends) by adding a `<span>` to the page and reading its
/// `offsetWidth`, which forces a layout of the whole page for every label: dozens per chart, every frame,
/// and the main cause of long frames while a run animates. `measureText` on the canvas gives the width
/// without touching the page; the height is the font size. Everything else is plotters-canvas as is.
pub(crate) struct Canvas {
    inner: plotters_canvas::CanvasBackend,
    context: web_sys::CanvasRenderingContext2d,
}

/// plotters-canvas's error type (not exported by name).
type CanvasError = <plotters_canvas::CanvasBackend as plotters_backend::DrawingBackend>::ErrorType;
type DrawResult = Result<(), plotters_backend::DrawingErrorKind<CanvasError>>;

impl plotters_backend::DrawingBackend for Canvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> DrawResult {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> DrawResult {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: plotters_backend::BackendCoord,
        color: plotters_backend::BackendColor,
    ) -> DrawResult {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: plotters_backend::BackendCoord,
        to: plotters_backend::BackendCoord,
        style: &S,
    ) -> DrawResult {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: plotters_backend::BackendCoord,
        bottom_right: plotters_backend::BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<
        S: plotters_backend::BackendStyle,
        I: IntoIterator<Item = plotters_backend::BackendCoord>,
    >(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult {
        self.inner.draw_path(path, style)
    }

    fn fill_polygon<
        S: plotters_backend::BackendStyle,
        I: IntoIterator<Item = plotters_backend::BackendCoord>,
    >(
        &mut self,
        vertices: I,
        style: &S,
    ) -> DrawResult {
        self.inner.fill_polygon(vertices, style)
    }

    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: plotters_backend::BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn draw_text<S: plotters_backend::BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: plotters_backend::BackendCoord,
    ) -> DrawResult {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: plotters_backend::BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), plotters_backend::DrawingErrorKind<Self::ErrorType>> {
        // The font string plotters-canvas draws with.
        self.context.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        ));
        let width = self
            .context
            .measure_text(text)
            .map(|metrics| metrics.width())
            .unwrap_or(0.0);
        Ok((width.ceil() as u32, style.size().ceil() as u32))
    }
}

/// A fresh backend on `canvas`, cleared of the previous frame (filling with a transparent colour would
/// paint over it, not erase it).
pub(crate) fn backend(canvas: web_sys::HtmlCanvasElement) -> Result<Canvas, ChartError> {
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
    let inner = plotters_canvas::CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| ChartError("no 2D context".into()))?;
    Ok(Canvas { inner, context })
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

/// Axes, labels and grid lines in the charts' style.
pub(crate) fn style_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
    DB: plotters::prelude::DrawingBackend,
{
    use plotters::style::{Color, IntoFont};
    mesh.axis_style(INK)
        .label_style(("sans-serif", 12).into_font().color(&INK))
        .light_line_style(INK.mix(0.15))
        .bold_line_style(INK.mix(0.3))
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
