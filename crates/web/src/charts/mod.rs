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
/// plotters sizes text (axis labels, captions) by adding a `<span>` to the page and reading its
/// `offsetWidth`, which forces a layout of the whole page for every label: dozens per chart, every frame,
/// and the main cause of long frames while a run animates. `measureText` on the canvas gives the width
/// without touching the page; the height is the font size. Everything else is plotters-canvas as is.
/// plotters' legend measures through the font, past the backend, so the charts draw their own
/// ([`draw_legend`]).
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

/// Where a chart's legend sits in its plotting area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Corner {
    /// The top right corner.
    UpperRight,
    /// The bottom right corner.
    LowerRight,
}

/// Draws a legend in the charts' style in `corner` of `chart`'s plotting area: a line of each series'
/// `style` and its `label`, one entry per row.
///
/// plotters' own legend sizes its labels through the page, like its text does (see [`Canvas`]): three
/// forced layouts of the page per entry, on every frame a chart redraws. This one measures the labels
/// with the backend (the canvas), so a chart never makes the page lay itself out.
pub(crate) fn draw_legend<DB, CT>(
    chart: &plotters::chart::ChartContext<'_, DB, CT>,
    corner: Corner,
    entries: &[(&str, plotters::style::ShapeStyle)],
) -> Result<(), ChartError>
where
    DB: plotters::prelude::DrawingBackend,
    CT: plotters::coord::CoordTranslate,
{
    use plotters::element::{PathElement, Rectangle, Text};
    use plotters::style::{Color, IntoFont};
    // plotters' legend metrics: an inner margin, room for the line sample, the row height of 12 px text.
    const MARGIN: i32 = 10;
    const SAMPLE: i32 = 30;
    const ROW: i32 = 15;
    /// Gap between the legend and the plotting area's edge.
    const INSET: i32 = 5;
    let area = chart.plotting_area().strip_coord_spec();
    let font = ("sans-serif", 12).into_font().color(&INK);
    let mut widest = 0;
    for (label, _) in entries {
        let (width, _) = area.estimate_text_size(label, &font).map_err(failed)?;
        widest = widest.max(i32::try_from(width).unwrap_or(i32::MAX / 4));
    }
    let rows = i32::try_from(entries.len()).unwrap_or(0);
    let (width, height) = (SAMPLE + widest + 2 * MARGIN, rows * ROW + 2 * MARGIN);
    let (area_width, area_height) = area.dim_in_pixel();
    let left = i32::try_from(area_width).unwrap_or(0) - width - INSET;
    let top = match corner {
        Corner::UpperRight => INSET,
        Corner::LowerRight => i32::try_from(area_height).unwrap_or(0) - height - INSET,
    };
    area.draw(&Rectangle::new(
        [(left, top), (left + width, top + height)],
        INK.mix(0.4),
    ))
    .map_err(failed)?;
    for (row, (label, style)) in (0..).zip(entries) {
        let y = top + MARGIN + row * ROW;
        let sample = vec![
            (left + MARGIN, y + ROW / 2),
            (left + MARGIN + 20, y + ROW / 2),
        ];
        area.draw(&PathElement::new(sample, *style))
            .map_err(failed)?;
        area.draw(&Text::new(
            *label,
            (left + MARGIN + SAMPLE, y),
            font.clone(),
        ))
        .map_err(failed)?;
    }
    Ok(())
}

/// Converts any plotters error into a [`ChartError`].
pub(crate) fn failed(err: impl fmt::Display) -> ChartError {
    ChartError(err.to_string())
}
