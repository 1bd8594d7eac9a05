//! Consumer lag per partition as a heatmap: a row per service, a column per partition, each cell as dark
//! as its lag now against the highest lag any cell reached (its peak). Where cells are wide enough they
//! also carry the number, so the chart reads without colour.

use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{ChartError, INK, backend, failed, frame, style_mesh};

/// Widest partition count whose cells carry their lag as text.
const LABELLED_PARTITIONS: usize = 24;
/// The colour of the most lagging cell.
const HOT: RGBColor = RGBColor(200, 40, 30);

/// What the chart shows: per service, its name and each partition's `(lag now, peak lag)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HeatmapData {
    /// One row per service.
    pub services: Vec<(String, Vec<(u64, u64)>)>,
}

/// Draws `data` on `canvas`.
///
/// # Errors
/// [`ChartError`] if the canvas has no 2D context or plotters fails.
pub fn draw(canvas: HtmlCanvasElement, data: &HeatmapData) -> Result<(), ChartError> {
    let root = backend(canvas)?.into_drawing_area();
    let rows = data.services.len().max(1);
    let columns = data
        .services
        .iter()
        .map(|(_, p)| p.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = data
        .services
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, peak)| peak))
        .max()
        .unwrap_or(0)
        .max(1);
    let caption = format!("Lag per partition now (darkest = {scale} records, the highest peak)");
    // Cell (x, y) spans x ± 0.5, y ± 0.5, so whole-number ticks fall on the middle of a column or row.
    // (Plain f64 axes, like the other charts: a coordinate type of its own would add its own copy of
    // plotters' mesh code to the page.)
    let (width, height) = (columns as f64, rows as f64);
    let mut chart = frame(&root, &caption, 96)
        .build_cartesian_2d(-0.5..width - 0.5, -0.5..height - 0.5)
        .map_err(failed)?;
    let names: Vec<&str> = data.services.iter().map(|(n, _)| n.as_str()).collect();
    let whole = |v: f64| (v - v.round()).abs() < 1e-9 && v >= 0.0;
    style_mesh(
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("partition")
            .x_labels(columns.min(16))
            .y_labels(rows)
            .x_label_formatter(&|&v| {
                if whole(v) {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|&v| {
                // Rows from the top in service order.
                let row = (height - 1.0 - v).round();
                match names.get(row as usize) {
                    Some(name) if whole(v) && row >= 0.0 => (*name).to_owned(),
                    _ => String::new(),
                }
            }),
    )
    .draw()
    .map_err(failed)?;

    let cells = data
        .services
        .iter()
        .enumerate()
        .flat_map(|(row, (_, parts))| {
            let y = height - 1.0 - row as f64;
            parts
                .iter()
                .enumerate()
                .map(move |(x, &(now, _))| (x as f64, y, now))
        });
    let corners = |x: f64, y: f64| [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)];
    chart
        .draw_series(cells.clone().map(|(x, y, now)| {
            let heat = now as f64 / scale as f64;
            Rectangle::new(corners(x, y), HOT.mix(0.08 + 0.92 * heat).filled())
        }))
        .map_err(failed)?;
    chart
        .draw_series(
            cells
                .clone()
                .map(|(x, y, _)| Rectangle::new(corners(x, y), INK.mix(0.35))),
        )
        .map_err(failed)?;
    if columns <= LABELLED_PARTITIONS {
        chart
            .draw_series(cells.map(|(x, y, now)| {
                Text::new(
                    now.to_string(),
                    (x - 0.45, y + 0.45),
                    ("sans-serif", 11).into_font().color(&INK),
                )
            }))
            .map_err(failed)?;
    }
    root.present().map_err(failed)
}
