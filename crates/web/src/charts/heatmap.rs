//! Consumer lag per partition as a heatmap: a row per service, a column per partition, each cell as dark
//! as its lag now against the highest lag any cell reached (its peak). Where cells are wide enough they
//! also carry the number, so the chart reads without colour.

use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{ChartError, INK, backend, failed, frame};

/// Widest partition count whose cells carry their lag as text.
const LABELLED_PARTITIONS: usize = 24;
/// The colour of the most lagging cell.
const HOT: RGBColor = RGBColor(200, 40, 30);

/// The corners of the cell of column `x`, row `y`.
fn cell(x: usize, y: usize) -> [(SegmentValue<usize>, SegmentValue<usize>); 2] {
    [
        (SegmentValue::Exact(x), SegmentValue::Exact(y)),
        (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
    ]
}

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
    // Segmented axes: labels sit in the middle of their row or column.
    let mut chart = frame(&root, &caption, 96)
        .build_cartesian_2d((0..columns).into_segmented(), (0..rows).into_segmented())
        .map_err(failed)?;
    let names: Vec<&str> = data.services.iter().map(|(n, _)| n.as_str()).collect();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("partition")
        .x_labels(columns.min(16))
        .y_labels(rows)
        .x_label_formatter(&|column| match column {
            SegmentValue::CenterOf(x) => x.to_string(),
            _ => String::new(),
        })
        .y_label_formatter(&|row| match row {
            SegmentValue::CenterOf(y) if *y < rows => names
                .get(rows - 1 - *y)
                .map_or_else(String::new, |n| (*n).to_owned()),
            _ => String::new(),
        })
        .axis_style(INK)
        .label_style(("sans-serif", 12).into_font().color(&INK))
        .draw()
        .map_err(failed)?;
    // Rows from the top in service order.
    let cells = data
        .services
        .iter()
        .enumerate()
        .flat_map(|(row, (_, parts))| {
            let y = rows - 1 - row;
            parts
                .iter()
                .enumerate()
                .map(move |(x, &(now, _))| (x, y, now))
        });
    chart
        .draw_series(cells.clone().map(|(x, y, now)| {
            let heat = now as f64 / scale as f64;
            Rectangle::new(cell(x, y), HOT.mix(0.08 + 0.92 * heat).filled())
        }))
        .map_err(failed)?;
    chart
        .draw_series(
            cells
                .clone()
                .map(|(x, y, _)| Rectangle::new(cell(x, y), INK.mix(0.35))),
        )
        .map_err(failed)?;
    if columns <= LABELLED_PARTITIONS {
        chart
            .draw_series(cells.map(|(x, y, now)| {
                Text::new(
                    now.to_string(),
                    (SegmentValue::Exact(x), SegmentValue::Exact(y + 1)),
                    ("sans-serif", 11).into_font().color(&INK),
                )
            }))
            .map_err(failed)?;
    }
    root.present().map_err(failed)
}
