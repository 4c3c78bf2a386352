// JSON views of the query-table rows (incident, alert, timeline entry) and of journal records for the live stream.
#pragma once

#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "engine/engine.h"
#include "engine/store.h"

namespace http {

// {"id","service","group_key","title","severity","state","opened_at","acknowledged_at","resolved_at","closed_at",
//  "alert_count","open_alert_count","last_seq","last_actor"}; timestamps RFC 3339, absent ones null.
boost::json::object IncidentView(const engine::IncidentRow& row);

// {"id","service","dedup_key","incident_id","status","summary","source","severity","created_at","updated_at",
//  "event_count","details"}; `details` embeds details_json ({} when empty, null when it does not parse).
boost::json::object AlertView(const engine::AlertRow& row);

// {"seq","time","actor","kind","text"}
boost::json::object TimelineView(const engine::TimelineRow& row);

// The incident with its alerts: IncidentView plus "alerts":[AlertView...].
std::string IncidentWithAlertsJson(const engine::IncidentRow& row, const std::vector<engine::AlertRow>& alerts);
std::string IncidentJson(const engine::IncidentRow& row);
// {"incidents":[...],"next_before":N|null}
std::string IncidentPageJson(const engine::IncidentPage& page);
// {"entries":[...]}
std::string TimelineJson(const std::vector<engine::TimelineRow>& rows);

// {"seq","time","actor","type","incident_id","summary"}; incident_id is null when 0.
std::string PublishedJson(const engine::Published& record);
// One Server-Sent Events frame: "id: <seq>\nevent: <type>\ndata: <PublishedJson>\n\n".
std::string SseFrame(const engine::Published& record);

}  // namespace http
