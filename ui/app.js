// Placeholder: the web UI proper lives in this folder once it is written (see docs/ui.md).
document.title = "incidentd";
