//! Routing information: route sources, interned attributes, paths, the
//! decision process and the table that holds them.

pub mod attrs;
pub mod best;
pub mod index;
pub mod path;
pub mod paths;
pub mod prefix_hash;
pub mod source;
pub mod table;

pub use attrs::{AttrStore, Attrs, Hop};
pub use best::{compare, BestOptions, Reason};
pub use path::Path;
pub use paths::Paths;
pub use source::{BgpSource, SourceId, SourceInfo, SourceKind, Sources};
pub use table::{Change, Entry, OldPaths, Table};
