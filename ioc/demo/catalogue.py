"""Demo catalogue for the fictional province "Tỉnh Hải Minh" (code ``HM``).

Pure data, no side effects: category groups, report categories (Open311 GeoReport v2 style
attributes), province-level agencies, routing rules and sample texts for the report simulator.

The province uses the two-tier structure in force since 1 July 2025 (province ► commune/ward,
no district level) and the post-reform agency names: Sở Xây dựng took over transport (roads,
traffic lights, signs), Sở Nông nghiệp và Môi trường covers environment, land, dykes and
flooding, and the Ban Chỉ huy Phòng thủ dân sự tỉnh replaced the former Ban Chỉ huy
PCTT&TKCN for disaster response.

The People's Committees of communes and wards (UBND phường/xã/đặc khu) are generated from the
geography elsewhere; routing rules refer to them with the token :data:`COMMUNE`.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE_CODE = "HM"
ROOT_AGENCY_CODE = "UBND-HM"

#: Token usable as a rule's lead or supporting agency: the People's Committee of the commune,
#: ward or special zone in which the report is located.
COMMUNE = "COMMUNE"


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name_vi: str
    name_en: str
    parent_code: str | None
    email: str
    phone: str
    address: str


@dataclass(frozen=True)
class AttributeSpec:
    """Open311 GeoReport v2 style attribute definition."""

    code: str
    datatype: str
    required: bool
    description_vi: str
    description_en: str
    values: tuple[tuple[str, str, str], ...] = ()
    order: int = 0


@dataclass(frozen=True)
class CategoryGroupSpec:
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class CategorySpec:
    code: str
    group_code: str
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    sla_tier: str
    sla_target_hours: int
    duplicate_radius_m: int
    is_auto_dispatch: bool
    is_private: bool
    is_photo_required: bool
    attributes: tuple[AttributeSpec, ...]
    parent_code: str | None = None
    # Reports within one commune and window that suggest one incident (None: no alerts).
    surge_threshold: int | None = None
    surge_window_minutes: int = 60


@dataclass(frozen=True)
class RuleSpec:
    category_code: str
    # "province" (the whole province), "wards" (one rule per phường), "communes" (one per xã)
    # or "special_zone" (the đặc khu); see ioc.demo.seed.
    area_scope: str
    lead: str
    supporting: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Attribute helpers
# --------------------------------------------------------------------------------------------

_YES_NO: tuple[tuple[str, str, str], ...] = (
    ("yes", "Có", "Yes"),
    ("no", "Không", "No"),
)


def _yes_no(code: str, description_vi: str, description_en: str, order: int) -> AttributeSpec:
    return AttributeSpec(
        code=code,
        datatype="singlevaluelist",
        required=False,
        description_vi=description_vi,
        description_en=description_en,
        values=_YES_NO,
        order=order,
    )


def _blocking_traffic(order: int) -> AttributeSpec:
    return _yes_no(
        "is_blocking_traffic",
        "Có gây cản trở giao thông không?",
        "Is it blocking traffic?",
        order,
    )


# --------------------------------------------------------------------------------------------
# Category groups
# --------------------------------------------------------------------------------------------

CATEGORY_GROUPS: tuple[CategoryGroupSpec, ...] = (
    CategoryGroupSpec("traffic", "Giao thông", "Traffic"),
    CategoryGroupSpec("urban", "Đô thị & chiếu sáng", "Urban infrastructure & lighting"),
    CategoryGroupSpec("environment", "Môi trường", "Environment"),
    CategoryGroupSpec("utilities", "Điện & nước", "Power & water"),
    CategoryGroupSpec("security", "An ninh trật tự", "Public order & security"),
)


# --------------------------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------------------------

CATEGORIES: tuple[CategorySpec, ...] = (
    # ---- Giao thông ------------------------------------------------------------------------
    CategorySpec(
        code="pothole",
        group_code="traffic",
        name_vi="Ổ gà, hư hỏng mặt đường",
        name_en="Pothole / road surface damage",
        description_vi="Ổ gà, lún, nứt, bong tróc mặt đường hoặc sụt lún nền đường.",
        description_en="Potholes, subsidence, cracks or broken road surface.",
        sla_tier="normal",
        sla_target_hours=24,
        duplicate_radius_m=50,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="pothole_size",
                datatype="singlevaluelist",
                required=True,
                description_vi="Kích thước hư hỏng",
                description_en="Size of the damage",
                values=(
                    ("small", "Nhỏ (dưới 30 cm)", "Small (under 30 cm)"),
                    ("medium", "Vừa (30–100 cm)", "Medium (30–100 cm)"),
                    ("large", "Lớn (trên 1 m)", "Large (over 1 m)"),
                ),
                order=1,
            ),
            _blocking_traffic(order=2),
        ),
    ),
    CategorySpec(
        code="traffic_signage",
        group_code="traffic",
        name_vi="Biển báo, vạch kẻ đường hư hỏng",
        name_en="Damaged traffic sign / road marking",
        description_vi="Biển báo giao thông bị gãy, đổ, mất, bị che khuất hoặc vạch sơn bị mờ.",
        description_en="Traffic signs broken, fallen, missing or obscured; faded road markings.",
        sla_tier="normal",
        sla_target_hours=24,
        duplicate_radius_m=50,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="sign_issue",
                datatype="singlevaluelist",
                required=True,
                description_vi="Tình trạng",
                description_en="Problem",
                values=(
                    ("fallen", "Bị đổ, gãy", "Fallen or broken"),
                    ("missing", "Bị mất", "Missing"),
                    ("obscured", "Bị cây hoặc vật khác che khuất", "Obscured by trees/objects"),
                    ("faded_marking", "Vạch kẻ đường bị mờ", "Faded road marking"),
                ),
                order=1,
            ),
        ),
    ),
    CategorySpec(
        code="traffic_light",
        group_code="traffic",
        name_vi="Đèn tín hiệu giao thông hỏng",
        name_en="Traffic light fault",
        description_vi="Đèn tín hiệu tại nút giao không hoạt động, nhấp nháy sai hoặc bị kẹt.",
        description_en="Traffic lights at a junction off, blinking abnormally or stuck.",
        sla_tier="urgent",
        sla_target_hours=8,
        duplicate_radius_m=50,
        is_auto_dispatch=True,
        is_private=False,
        is_photo_required=False,
        attributes=(
            AttributeSpec(
                code="light_fault",
                datatype="singlevaluelist",
                required=True,
                description_vi="Loại sự cố",
                description_en="Type of fault",
                values=(
                    ("all_off", "Tắt hoàn toàn", "Completely off"),
                    ("blinking", "Nhấp nháy vàng liên tục", "Blinking amber"),
                    ("stuck", "Kẹt một màu", "Stuck on one colour"),
                    ("one_direction", "Hỏng một hướng", "One direction out"),
                ),
                order=1,
            ),
            AttributeSpec(
                code="intersection_name",
                datatype="string",
                required=False,
                description_vi="Tên nút giao (nếu biết)",
                description_en="Junction name (if known)",
                order=2,
            ),
        ),
        parent_code="traffic_signage",
    ),
    CategorySpec(
        code="sidewalk_encroachment",
        group_code="traffic",
        name_vi="Lấn chiếm vỉa hè, lòng đường",
        name_en="Sidewalk / roadway encroachment",
        description_vi="Buôn bán, để xe, vật liệu xây dựng hoặc cơi nới lấn chiếm vỉa hè, "
        "lòng đường.",
        description_en="Vendors, parked vehicles, building materials or extensions on the "
        "sidewalk or roadway.",
        sla_tier="normal",
        sla_target_hours=24,
        duplicate_radius_m=50,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="encroachment_type",
                datatype="singlevaluelist",
                required=True,
                description_vi="Hình thức lấn chiếm",
                description_en="Type of encroachment",
                values=(
                    ("street_vendor", "Buôn bán hàng rong, quán xá", "Street vendors / stalls"),
                    ("parked_vehicles", "Để xe, trông giữ xe", "Parked vehicles / parking"),
                    ("construction_materials", "Vật liệu xây dựng", "Construction materials"),
                    ("shop_extension", "Cơi nới, dựng mái che", "Shop extension / awning"),
                ),
                order=1,
            ),
            _yes_no(
                "is_recurring",
                "Tình trạng này có diễn ra thường xuyên không?",
                "Does it happen regularly?",
                order=2,
            ),
        ),
    ),
    # ---- Đô thị & chiếu sáng ---------------------------------------------------------------
    CategorySpec(
        code="street_light",
        group_code="urban",
        name_vi="Đèn chiếu sáng công cộng hỏng",
        name_en="Broken street light",
        description_vi="Đèn đường không sáng, chập chờn, sáng ban ngày hoặc cột đèn hư hỏng.",
        description_en="Street light off, flickering, on during the day or damaged pole.",
        sla_tier="normal",
        sla_target_hours=24,
        duplicate_radius_m=100,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=False,
        attributes=(
            AttributeSpec(
                code="light_issue",
                datatype="singlevaluelist",
                required=True,
                description_vi="Tình trạng đèn",
                description_en="Light condition",
                values=(
                    ("off", "Không sáng", "Not working"),
                    ("flickering", "Chập chờn", "Flickering"),
                    ("on_daytime", "Sáng cả ban ngày", "On during daytime"),
                    ("damaged_pole", "Cột đèn nghiêng, gãy", "Leaning or broken pole"),
                ),
                order=1,
            ),
            AttributeSpec(
                code="pole_number",
                datatype="string",
                required=False,
                description_vi="Số hiệu cột đèn (ghi trên thân cột)",
                description_en="Lamp pole number (printed on the pole)",
                order=2,
            ),
        ),
    ),
    CategorySpec(
        code="fallen_tree",
        group_code="urban",
        name_vi="Cây xanh gãy đổ, nguy hiểm",
        name_en="Fallen or dangerous tree",
        description_vi="Cây đổ, cành gãy hoặc cây nghiêng có nguy cơ đổ xuống đường, nhà dân.",
        description_en="Fallen tree, broken branch or leaning tree at risk of falling.",
        sla_tier="urgent",
        sla_target_hours=4,
        duplicate_radius_m=50,
        surge_threshold=3,
        surge_window_minutes=60,
        is_auto_dispatch=True,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="tree_condition",
                datatype="singlevaluelist",
                required=True,
                description_vi="Tình trạng cây",
                description_en="Tree condition",
                values=(
                    ("fallen", "Đã đổ", "Fallen"),
                    ("broken_branch", "Gãy cành", "Broken branch"),
                    ("leaning", "Nghiêng, có nguy cơ đổ", "Leaning, at risk of falling"),
                ),
                order=1,
            ),
            _blocking_traffic(order=2),
        ),
    ),
    CategorySpec(
        code="open_drain",
        group_code="urban",
        name_vi="Hố ga mất nắp, cống hở",
        name_en="Missing manhole cover / open drain",
        description_vi="Nắp hố ga bị mất, vỡ, cống thoát nước hở hoặc sụp, nguy hiểm cho "
        "người đi đường.",
        description_en="Missing or broken manhole cover, open or collapsed drain endangering "
        "passers-by.",
        sla_tier="urgent",
        sla_target_hours=8,
        duplicate_radius_m=30,
        is_auto_dispatch=True,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="hazard_type",
                datatype="singlevaluelist",
                required=True,
                description_vi="Loại nguy hiểm",
                description_en="Type of hazard",
                values=(
                    ("missing_cover", "Mất nắp hố ga", "Missing manhole cover"),
                    ("broken_cover", "Nắp hố ga bị vỡ", "Broken manhole cover"),
                    ("open_drain", "Mương, cống hở", "Open drain"),
                    ("collapsed", "Cống bị sụp", "Collapsed drain"),
                ),
                order=1,
            ),
            _yes_no(
                "is_marked",
                "Đã có biển cảnh báo hoặc rào chắn tạm chưa?",
                "Is there already a warning sign or temporary barrier?",
                order=2,
            ),
        ),
    ),
    CategorySpec(
        code="illegal_construction",
        group_code="urban",
        name_vi="Xây dựng trái phép, sai phép",
        name_en="Illegal construction",
        description_vi="Công trình xây dựng không phép, sai giấy phép hoặc lấn chiếm đất công.",
        description_en="Construction without or beyond permit, or on public land.",
        sla_tier="complex",
        sla_target_hours=80,
        duplicate_radius_m=30,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="construction_stage",
                datatype="singlevaluelist",
                required=True,
                description_vi="Giai đoạn thi công",
                description_en="Construction stage",
                values=(
                    ("foundation", "Đang làm móng", "Foundation work"),
                    ("in_progress", "Đang xây dựng", "Under construction"),
                    ("completed", "Đã hoàn thành", "Completed"),
                ),
                order=1,
            ),
            AttributeSpec(
                code="violation_type",
                datatype="singlevaluelist",
                required=False,
                description_vi="Loại vi phạm (theo quan sát)",
                description_en="Type of violation (as observed)",
                values=(
                    ("no_permit", "Không có giấy phép", "No permit"),
                    ("beyond_permit", "Sai nội dung giấy phép", "Beyond the permit"),
                    ("public_land", "Lấn chiếm đất công", "On public land"),
                    ("unknown", "Không rõ", "Unknown"),
                ),
                order=2,
            ),
        ),
    ),
    CategorySpec(
        code="illegal_advertising",
        group_code="urban",
        name_vi="Quảng cáo, rao vặt trái phép",
        name_en="Illegal advertising / flyers",
        description_vi="Tờ rơi, rao vặt dán, vẽ trên tường, cột điện; băng rôn, biển quảng "
        "cáo không phép.",
        description_en="Flyers and ads stuck or painted on walls and poles; unlicensed banners "
        "and billboards.",
        sla_tier="normal",
        sla_target_hours=24,
        duplicate_radius_m=100,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="ad_type",
                datatype="multivaluelist",
                required=True,
                description_vi="Hình thức quảng cáo",
                description_en="Type of advertising",
                values=(
                    ("flyers", "Tờ rơi dán", "Stuck flyers"),
                    ("painted", "Sơn, vẽ, in số điện thoại", "Painted ads / phone numbers"),
                    ("banner", "Băng rôn, phướn", "Banners"),
                    ("billboard", "Biển quảng cáo", "Billboard"),
                ),
                order=1,
            ),
        ),
    ),
    # ---- Môi trường ------------------------------------------------------------------------
    CategorySpec(
        code="garbage",
        group_code="environment",
        name_vi="Rác thải tồn đọng, chưa thu gom",
        name_en="Uncollected garbage",
        description_vi="Rác sinh hoạt tồn đọng, điểm tập kết rác quá tải hoặc không được thu gom.",
        description_en="Household waste piling up, overflowing or uncollected collection points.",
        sla_tier="normal",
        sla_target_hours=24,
        duplicate_radius_m=100,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="waste_type",
                datatype="singlevaluelist",
                required=True,
                description_vi="Loại rác",
                description_en="Type of waste",
                values=(
                    ("household", "Rác sinh hoạt", "Household waste"),
                    ("bulky", "Rác cồng kềnh", "Bulky waste"),
                    ("construction", "Phế thải xây dựng", "Construction debris"),
                    ("hazardous", "Rác nguy hại (pin, hóa chất…)", "Hazardous (batteries, …)"),
                ),
                order=1,
            ),
            AttributeSpec(
                code="volume",
                datatype="singlevaluelist",
                required=False,
                description_vi="Khối lượng ước tính",
                description_en="Estimated volume",
                values=(
                    ("few_bags", "Vài túi", "A few bags"),
                    ("cart", "Khoảng một xe đẩy", "About a handcart"),
                    ("truckload", "Cả xe tải trở lên", "A truckload or more"),
                ),
                order=2,
            ),
        ),
    ),
    CategorySpec(
        code="illegal_dumping",
        group_code="environment",
        name_vi="Đổ trộm rác, phế thải",
        name_en="Illegal dumping",
        description_vi="Đổ trộm rác, xà bần, phế thải ra đất trống, lề đường, bờ sông, bãi biển.",
        description_en="Waste or debris dumped on vacant land, roadsides, river banks or beaches.",
        sla_tier="normal",
        sla_target_hours=24,
        duplicate_radius_m=100,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="waste_type",
                datatype="singlevaluelist",
                required=True,
                description_vi="Loại rác",
                description_en="Type of waste",
                values=(
                    ("household", "Rác sinh hoạt", "Household waste"),
                    ("construction", "Xà bần, phế thải xây dựng", "Construction debris"),
                    ("industrial", "Chất thải công nghiệp", "Industrial waste"),
                ),
                order=1,
            ),
            AttributeSpec(
                code="vehicle_plate",
                datatype="string",
                required=False,
                description_vi="Biển số xe đổ trộm (nếu thấy)",
                description_en="Licence plate of the dumping vehicle (if seen)",
                order=2,
            ),
        ),
        parent_code="garbage",
    ),
    CategorySpec(
        code="flooding",
        group_code="environment",
        name_vi="Ngập úng",
        name_en="Flooding",
        description_vi="Đường, khu dân cư bị ngập nước do mưa lớn, triều cường hoặc tắc thoát "
        "nước.",
        description_en="Streets or neighbourhoods flooded by heavy rain, high tide or blocked "
        "drainage.",
        sla_tier="urgent",
        sla_target_hours=4,
        duplicate_radius_m=300,
        surge_threshold=3,
        surge_window_minutes=60,
        is_auto_dispatch=True,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="flood_depth_cm",
                datatype="number",
                required=True,
                description_vi="Độ sâu ngập ước tính (cm)",
                description_en="Estimated flood depth (cm)",
                order=1,
            ),
            _yes_no(
                "is_passable",
                "Xe máy còn đi qua được không?",
                "Can motorbikes still get through?",
                order=2,
            ),
        ),
    ),
    CategorySpec(
        code="noise_pollution",
        group_code="environment",
        name_vi="Ô nhiễm tiếng ồn",
        name_en="Noise pollution",
        description_vi="Tiếng ồn từ karaoke, công trường, cơ sở kinh doanh gây ảnh hưởng dân cư.",
        description_en="Noise from karaoke, construction sites or businesses disturbing residents.",
        sla_tier="normal",
        sla_target_hours=24,
        duplicate_radius_m=100,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=False,
        attributes=(
            AttributeSpec(
                code="noise_source",
                datatype="singlevaluelist",
                required=True,
                description_vi="Nguồn gây ồn",
                description_en="Noise source",
                values=(
                    ("karaoke", "Hát karaoke", "Karaoke"),
                    ("construction", "Công trường xây dựng", "Construction site"),
                    ("business", "Cơ sở kinh doanh, sản xuất", "Business / workshop"),
                    ("vehicles", "Xe độ pô, nẹt pô", "Modified exhausts / revving"),
                    ("other", "Khác", "Other"),
                ),
                order=1,
            ),
            _yes_no(
                "occurs_at_night",
                "Có xảy ra sau 22 giờ không?",
                "Does it happen after 10 pm?",
                order=2,
            ),
        ),
    ),
    CategorySpec(
        code="air_pollution",
        group_code="environment",
        name_vi="Ô nhiễm không khí, khói bụi, đốt rác",
        name_en="Air pollution / smoke / waste burning",
        description_vi="Khói, bụi, mùi hôi từ nhà máy, công trường, đốt rác hoặc đốt rơm rạ.",
        description_en="Smoke, dust or odour from factories, construction, waste or straw burning.",
        sla_tier="normal",
        sla_target_hours=24,
        duplicate_radius_m=300,
        is_auto_dispatch=False,
        is_private=False,
        is_photo_required=True,
        attributes=(
            AttributeSpec(
                code="pollution_source",
                datatype="singlevaluelist",
                required=True,
                description_vi="Nguồn ô nhiễm",
                description_en="Pollution source",
                values=(
                    ("waste_burning", "Đốt rác", "Waste burning"),
                    ("straw_burning", "Đốt rơm rạ", "Straw burning"),
                    ("factory", "Nhà máy, cơ sở sản xuất", "Factory / workshop"),
                    ("construction_dust", "Bụi công trường, xe chở vật liệu", "Construction dust"),
                    ("odour", "Mùi hôi", "Odour"),
                ),
                order=1,
            ),
            _yes_no(
                "is_ongoing",
                "Hiện tại có còn đang diễn ra không?",
                "Is it still ongoing?",
                order=2,
            ),
        ),
    ),
    # ---- Điện & nước -----------------------------------------------------------------------
    CategorySpec(
        code="water_supply",
        group_code="utilities",
        name_vi="Mất nước, vỡ ống cấp nước",
        name_en="Water outage / pipe leak",
        description_vi="Mất nước sinh hoạt, nước yếu, nước đục hoặc đường ống cấp nước bị vỡ, "
        "rò rỉ.",
        description_en="No water, low pressure, dirty water or a burst / leaking supply pipe.",
        sla_tier="urgent",
        sla_target_hours=8,
        duplicate_radius_m=200,
        surge_threshold=4,
        surge_window_minutes=60,
        is_auto_dispatch=True,
        is_private=False,
        is_photo_required=False,
        attributes=(
            AttributeSpec(
                code="water_issue",
                datatype="singlevaluelist",
                required=True,
                description_vi="Sự cố",
                description_en="Problem",
                values=(
                    ("no_water", "Mất nước", "No water"),
                    ("low_pressure", "Nước yếu", "Low pressure"),
                    ("dirty_water", "Nước đục, có mùi", "Dirty or smelly water"),
                    ("pipe_leak", "Vỡ, rò rỉ đường ống", "Burst or leaking pipe"),
                ),
                order=1,
            ),
            AttributeSpec(
                code="outage_since",
                datatype="datetime",
                required=False,
                description_vi="Mất nước từ lúc nào",
                description_en="Outage since",
                order=2,
            ),
        ),
    ),
    CategorySpec(
        code="power_outage",
        group_code="utilities",
        name_vi="Mất điện, dây điện đứt, võng",
        name_en="Power outage / dangling wires",
        description_vi="Mất điện, dây điện bị đứt, võng thấp, chập cháy hoặc cột điện nghiêng.",
        description_en="Power cut, broken or low-hanging wires, sparking or leaning poles.",
        sla_tier="urgent",
        sla_target_hours=4,
        duplicate_radius_m=200,
        surge_threshold=4,
        surge_window_minutes=30,
        is_auto_dispatch=True,
        is_private=False,
        is_photo_required=False,
        attributes=(
            AttributeSpec(
                code="power_issue",
                datatype="singlevaluelist",
                required=True,
                description_vi="Sự cố",
                description_en="Problem",
                values=(
                    ("outage", "Mất điện", "Power cut"),
                    ("dangling_wire", "Dây điện đứt, võng thấp", "Broken or low-hanging wire"),
                    ("sparking", "Chập, tóe lửa", "Sparking"),
                    ("leaning_pole", "Cột điện nghiêng, gãy", "Leaning or broken pole"),
                ),
                order=1,
            ),
            AttributeSpec(
                code="outage_since",
                datatype="datetime",
                required=False,
                description_vi="Mất điện từ lúc nào",
                description_en="Outage since",
                order=2,
            ),
        ),
    ),
    # ---- An ninh trật tự -------------------------------------------------------------------
    CategorySpec(
        code="public_order",
        group_code="security",
        name_vi="An ninh trật tự",
        name_en="Public order / security",
        description_vi="Tin báo về đánh nhau, trộm cắp, cờ bạc, ma túy, gây rối trật tự công cộng. "
        "Nội dung được bảo mật.",
        description_en="Tips about fights, theft, gambling, drugs or disturbances. Kept "
        "confidential.",
        sla_tier="urgent",
        sla_target_hours=4,
        duplicate_radius_m=100,
        is_auto_dispatch=True,
        is_private=True,
        is_photo_required=False,
        attributes=(
            AttributeSpec(
                code="incident_type",
                datatype="singlevaluelist",
                required=True,
                description_vi="Loại vụ việc",
                description_en="Type of incident",
                values=(
                    ("fighting", "Đánh nhau, gây rối", "Fighting / disturbance"),
                    ("theft", "Trộm cắp, cướp giật", "Theft / snatching"),
                    ("gambling", "Cờ bạc", "Gambling"),
                    ("drugs", "Ma túy", "Drugs"),
                    ("other", "Khác", "Other"),
                ),
                order=1,
            ),
            _yes_no(
                "is_ongoing",
                "Vụ việc có đang diễn ra không?",
                "Is it happening right now?",
                order=2,
            ),
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# Province-level agencies (commune/ward People's Committees are generated from the geography)
# --------------------------------------------------------------------------------------------

AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        code=ROOT_AGENCY_CODE,
        name_vi="Ủy ban nhân dân tỉnh Hải Minh",
        name_en="Hai Minh Provincial People's Committee",
        parent_code=None,
        email="ubnd@haiminh.gov.vn",
        phone="0235 3810 100",
        address="02 Đường Trần Phú, phường Minh An, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="SXD",
        name_vi="Sở Xây dựng tỉnh Hải Minh",
        name_en="Hai Minh Department of Construction",
        parent_code=ROOT_AGENCY_CODE,
        email="sxd@haiminh.gov.vn",
        phone="0235 3812 456",
        address="45 Đường Hùng Vương, phường Minh An, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="SNNMT",
        name_vi="Sở Nông nghiệp và Môi trường tỉnh Hải Minh",
        name_en="Hai Minh Department of Agriculture and Environment",
        parent_code=ROOT_AGENCY_CODE,
        email="snnmt@haiminh.gov.vn",
        phone="0235 3813 789",
        address="18 Đường Lê Lợi, phường Minh An, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="SVHTTDL",
        name_vi="Sở Văn hóa, Thể thao và Du lịch tỉnh Hải Minh",
        name_en="Hai Minh Department of Culture, Sports and Tourism",
        parent_code=ROOT_AGENCY_CODE,
        email="svhttdl@haiminh.gov.vn",
        phone="0235 3814 220",
        address="07 Đường Bạch Đằng, phường Hải Châu, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="PTDS",
        name_vi="Ban Chỉ huy Phòng thủ dân sự tỉnh Hải Minh",
        name_en="Hai Minh Provincial Civil Defence Command (disaster response, search & rescue)",
        parent_code=ROOT_AGENCY_CODE,
        email="ptds@haiminh.gov.vn",
        phone="0235 3815 115",
        address="30 Đường Phan Chu Trinh, phường Minh An, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="CXCS",
        name_vi="Ban Quản lý Cây xanh - Chiếu sáng đô thị Hải Minh",
        name_en="Hai Minh Urban Greenery and Street Lighting Management Board",
        parent_code="SXD",
        email="cayxanhchieusang@haiminh.gov.vn",
        phone="0235 3816 330",
        address="112 Đường Nguyễn Văn Linh, phường Hải Châu, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="CA",
        name_vi="Công an tỉnh Hải Minh",
        name_en="Hai Minh Provincial Police",
        parent_code=None,
        email="congan@haiminh.gov.vn",
        phone="0235 3817 113",
        address="09 Đường Quang Trung, phường Minh An, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="CSGT",
        name_vi="Phòng Cảnh sát giao thông - Công an tỉnh Hải Minh",
        name_en="Traffic Police Division, Hai Minh Provincial Police",
        parent_code="CA",
        email="csgt.congan@haiminh.gov.vn",
        phone="0235 3817 250",
        address="156 Đường Điện Biên Phủ, phường Hải Châu, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="MTDT",
        name_vi="Công ty Môi trường Đô thị Hải Minh",
        name_en="Hai Minh Urban Environment Company",
        parent_code=None,
        email="lienhe@moitruongdothi-haiminh.example.vn",
        phone="0235 3818 400",
        address="88 Đường Lý Thường Kiệt, phường Minh An, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="EVN",
        name_vi="Công ty Điện lực Hải Minh",
        name_en="Hai Minh Power Company",
        parent_code=None,
        email="cskh@dienluc-haiminh.example.vn",
        phone="0235 3819 600",
        address="21 Đường Nguyễn Huệ, phường Minh An, tỉnh Hải Minh",
    ),
    AgencySpec(
        code="CN",
        name_vi="Công ty Cổ phần Cấp nước Hải Minh",
        name_en="Hai Minh Water Supply Joint Stock Company",
        parent_code=None,
        email="cskh@capnuoc-haiminh.example.vn",
        phone="0235 3811 700",
        address="64 Đường Hai Bà Trưng, phường Hải Châu, tỉnh Hải Minh",
    ),
)


# --------------------------------------------------------------------------------------------
# Routing rules ("most specific area wins": special_zone / wards / communes over province)
#
# * air_pollution has no rule at all: sources vary (factory → SNNMT, burning → commune), so
#   reports land in the IOC review queue for manual triage.
# * traffic_light has no rule of its own and falls back to its parent traffic_signage.
# --------------------------------------------------------------------------------------------

ROUTING_RULES: tuple[RuleSpec, ...] = (
    # Giao thông
    RuleSpec("pothole", "province", "SXD", ("CSGT",)),
    RuleSpec("traffic_signage", "province", "SXD", ("CSGT",)),
    RuleSpec("sidewalk_encroachment", "province", "SXD"),
    RuleSpec("sidewalk_encroachment", "wards", COMMUNE, ("CA",)),
    RuleSpec("sidewalk_encroachment", "communes", COMMUNE),
    # Đô thị & chiếu sáng
    RuleSpec("street_light", "province", "CXCS", ("EVN",)),
    RuleSpec("street_light", "special_zone", COMMUNE, ("EVN",)),
    RuleSpec("fallen_tree", "province", "CXCS", ("PTDS",)),
    RuleSpec("fallen_tree", "communes", COMMUNE, ("PTDS",)),
    RuleSpec("open_drain", "province", "SXD", ("MTDT",)),
    RuleSpec("illegal_construction", "province", "SXD"),
    RuleSpec("illegal_construction", "wards", COMMUNE, ("SXD",)),
    RuleSpec("illegal_construction", "communes", COMMUNE, ("SXD",)),
    RuleSpec("illegal_advertising", "province", "SVHTTDL"),
    RuleSpec("illegal_advertising", "wards", COMMUNE, ("MTDT",)),
    # Môi trường
    RuleSpec("garbage", "province", "MTDT"),
    RuleSpec("garbage", "wards", COMMUNE, ("MTDT",)),
    RuleSpec("garbage", "special_zone", COMMUNE),
    RuleSpec("illegal_dumping", "province", "SNNMT", ("MTDT",)),
    RuleSpec("illegal_dumping", "wards", COMMUNE, ("MTDT",)),
    RuleSpec("illegal_dumping", "communes", COMMUNE, ("SNNMT",)),
    RuleSpec("flooding", "province", "SNNMT", ("PTDS",)),
    RuleSpec("flooding", "wards", "SNNMT", ("PTDS", COMMUNE)),
    RuleSpec("noise_pollution", "province", "CA"),
    RuleSpec("noise_pollution", "wards", COMMUNE, ("CA",)),
    RuleSpec("noise_pollution", "communes", COMMUNE, ("CA",)),
    # Điện & nước
    RuleSpec("water_supply", "province", "CN"),
    RuleSpec("power_outage", "province", "EVN"),
    # An ninh trật tự
    RuleSpec("public_order", "province", "CA"),
)


# --------------------------------------------------------------------------------------------
# Simulator data
# --------------------------------------------------------------------------------------------

REPORT_SAMPLES: dict[str, tuple[str, ...]] = {
    "pothole": (
        "Ổ gà lớn giữa đường, xe máy đi qua rất nguy hiểm, tối qua có người bị té.",
        "Mặt đường bị lún sâu, trời mưa đọng nước không thấy ổ gà, mong sớm sửa chữa.",
        "Đoạn đường trước chợ bong tróc hết lớp nhựa, đá văng tung tóe khi xe chạy qua.",
        "Có một hố sâu khoảng nửa mét ngay làn xe máy, nhiều người phải lách sang làn ô tô.",
        "Đường mới làm chưa được một năm mà đã nứt và sụt lún một đoạn dài.",
    ),
    "traffic_signage": (
        "Biển báo cấm rẽ trái ở ngã ba bị gió quật gãy nằm dưới đất mấy ngày nay.",
        "Biển báo giao thông bị cành cây che khuất hoàn toàn, tài xế không nhìn thấy.",
        "Vạch kẻ đường cho người đi bộ trước cổng trường đã mờ hết, học sinh qua đường nguy hiểm.",
        "Biển báo khu vực đông dân cư bị ai đó tháo mất, chỉ còn trơ lại cái cột.",
    ),
    "traffic_light": (
        "Đèn giao thông ở ngã tư tắt hết từ sáng, xe cộ đi lộn xộn rất dễ va chạm.",
        "Đèn tín hiệu chỉ nhấp nháy vàng suốt giờ cao điểm, kẹt xe kéo dài.",
        "Đèn đỏ hướng đi từ cầu xuống bị hỏng, chỉ có đèn xanh hướng còn lại sáng.",
        "Cột đèn giao thông bị xe tải va vào nghiêng hẳn ra đường, đèn không hoạt động.",
    ),
    "sidewalk_encroachment": (
        "Quán cà phê bày bàn ghế kín vỉa hè, người đi bộ phải xuống lòng đường.",
        "Cửa hàng vật liệu đổ cát, gạch chiếm gần nửa lòng đường, ban đêm rất nguy hiểm.",
        "Buổi sáng hàng rong họp chợ ngay trên đường, ô tô không đi qua được.",
        "Nhà mặt tiền dựng mái tôn và cơi nới ra sát mép đường.",
        "Bãi giữ xe tự phát chiếm hết vỉa hè trước bệnh viện, xe cứu thương khó ra vào.",
    ),
    "street_light": (
        "Cả dãy đèn đường tắt tối om gần một tuần nay, đi lại buổi tối rất sợ.",
        "Bóng đèn đường trước nhà cứ chập chờn tắt bật liên tục suốt đêm.",
        "Đèn đường sáng cả ban ngày, lãng phí điện quá.",
        "Cột đèn chiếu sáng bị nghiêng sau cơn bão, sợ đổ vào nhà dân.",
    ),
    "fallen_tree": (
        "Cây phượng lớn bị bật gốc đổ chắn ngang đường, xe không qua được.",
        "Cành cây gãy treo lơ lửng trên đầu, có thể rơi xuống người đi đường bất cứ lúc nào.",
        "Cây xanh trước trường học bị nghiêng nhiều sau mưa to, rễ đã trồi lên mặt đất.",
        "Cây đổ đè lên dây điện và mái nhà dân, cần xử lý gấp.",
        "Sau cơn giông, cây dầu ven đường gãy ngọn nằm trên vỉa hè.",
    ),
    "open_drain": (
        "Hố ga bị mất nắp ngay giữa đường, tối qua có xe máy sụp bánh.",
        "Nắp cống bị vỡ một nửa, trẻ con đi học ngang qua rất nguy hiểm.",
        "Mương thoát nước ven đường không có nắp đậy, đã có người té xuống.",
        "Cống bị sụp tạo thành hố sâu trên vỉa hè, chưa có rào chắn cảnh báo.",
    ),
    "illegal_construction": (
        "Nhà bên cạnh đang xây thêm tầng 4 trong khi giấy phép chỉ cho 3 tầng.",
        "Có người lấn chiếm đất công viên để dựng nhà tạm, làm ban đêm cho khỏi bị phát hiện.",
        "Công trình xây dựng không treo biển báo giấy phép, lấn cả ra hành lang an toàn đường bộ.",
        "Hộ dân tự ý đổ móng xây nhà trên đất nông nghiệp ven sông.",
    ),
    "illegal_advertising": (
        "Tờ rơi cho vay tiền nhanh dán kín cột điện và tường nhà dân.",
        "Số điện thoại khoan cắt bê tông được sơn lên khắp tường rào trường học.",
        "Băng rôn quảng cáo treo chằng chịt ở ngã tư, che cả biển báo giao thông.",
        "Biển quảng cáo lớn dựng trên vỉa hè, không biết có giấy phép không.",
    ),
    "garbage": (
        "Rác tồn đọng ở điểm tập kết đầu hẻm ba ngày chưa ai thu gom, bốc mùi hôi thối.",
        "Thùng rác công cộng đầy tràn, chó mèo bới rác vương vãi khắp đường.",
        "Xe rác không đến lấy rác khu phố mình từ đầu tuần.",
        "Có người bỏ nệm cũ, tủ gỗ cồng kềnh ở góc đường lâu ngày không ai dọn.",
        "Rác ở chợ sau giờ họp để lại ngổn ngang, nước rỉ rác chảy ra đường.",
    ),
    "illegal_dumping": (
        "Có xe ba gác chở xà bần đổ trộm ra bãi đất trống vào ban đêm.",
        "Bờ sông sau khu dân cư bị đổ rác thành đống lớn, ruồi nhặng rất nhiều.",
        "Sáng nay phát hiện mấy bao chất thải công nghiệp bị đổ trộm ven đường tránh.",
        "Bãi biển phía bắc bị đổ phế thải xây dựng, ảnh hưởng du khách tắm biển.",
    ),
    "flooding": (
        "Đường ngập sâu khoảng 40 cm sau cơn mưa lớn, nhiều xe máy chết máy giữa đường.",
        "Nước tràn vào nhà dân trong hẻm, triều cường lên mà cống không thoát kịp.",
        "Khu vực chợ ngập nặng, nước chảy xiết, người dân không dám đi qua.",
        "Mưa chưa đầy một tiếng mà đoạn đường trũng đã ngập quá nửa bánh xe.",
        "Nước lũ lên nhanh, tràn qua đường vào thôn, cần hỗ trợ di dời người già và trẻ em.",
    ),
    "noise_pollution": (
        "Nhà hàng xóm hát karaoke đến 12 giờ đêm, mở loa rất to, cả khu không ngủ được.",
        "Công trường thi công đổ bê tông xuyên đêm, máy móc ồn ào.",
        "Xưởng cơ khí trong khu dân cư cắt sắt, gõ búa ồn ào suốt ngày.",
        "Tối nào cũng có nhóm thanh niên chạy xe nẹt pô inh ỏi quanh khu phố.",
    ),
    "air_pollution": (
        "Có người đốt rác ở bãi đất trống, khói bay mù mịt vào nhà dân.",
        "Nhà máy gần khu dân cư xả khói đen vào ban đêm, mùi rất khó chịu.",
        "Xe chở đất không che chắn làm bụi mù mịt cả tuyến đường.",
        "Mùa gặt người dân đốt rơm rạ, khói tràn ra quốc lộ che tầm nhìn.",
    ),
    "water_supply": (
        "Khu phố mình mất nước từ sáng hôm qua đến giờ mà không có thông báo.",
        "Ống nước bị vỡ, nước phun lên giữa đường chảy lênh láng.",
        "Nước máy mấy hôm nay đục và có mùi lạ, không dám dùng để nấu ăn.",
        "Nước chảy rất yếu, chiều tối gần như không có nước để dùng.",
    ),
    "power_outage": (
        "Cả xóm mất điện từ tối qua tới giờ chưa có lại, trời nóng quá.",
        "Dây điện bị đứt rơi xuống đường sau cơn giông, rất nguy hiểm cho người đi đường.",
        "Dây điện võng thấp sát đầu người đi xe máy ở đầu hẻm.",
        "Trụ điện trước nhà chập điện tóe lửa liên tục khi trời mưa.",
        "Cột điện bị nghiêng sau bão, dây kéo căng như sắp đứt.",
    ),
    "public_order": (
        "Có một nhóm thanh niên tụ tập đánh nhau trước quán nhậu, có mang theo hung khí.",
        "Tối nào cũng có người tụ tập đánh bạc trong căn nhà hoang cuối hẻm.",
        "Nghi có người mua bán ma túy ở khu vực công viên vào ban đêm.",
        "Vừa xảy ra vụ cướp giật điện thoại của người đi bộ, đối tượng chạy xe máy về hướng cầu.",
        "Khu trọ xuất hiện mấy đối tượng lạ mặt rình trộm xe máy.",
    ),
}

ADDRESS_STREETS: tuple[str, ...] = (
    "Đường Trần Phú",
    "Đường Nguyễn Văn Linh",
    "Đường Hùng Vương",
    "Đường Lê Lợi",
    "Đường Bạch Đằng",
    "Đường Phan Chu Trinh",
    "Đường Nguyễn Huệ",
    "Đường Quang Trung",
    "Đường Lý Thường Kiệt",
    "Đường Hai Bà Trưng",
    "Đường Điện Biên Phủ",
    "Đường Lê Duẩn",
    "Đường Trần Hưng Đạo",
    "Đường Nguyễn Trãi",
    "Đường Phan Bội Châu",
    "Đường Võ Nguyên Giáp",
    "Đường Nguyễn Tất Thành",
    "Đường Hoàng Diệu",
    "Đường Lê Thánh Tông",
    "Đường Ngô Quyền",
    "Đường Tôn Đức Thắng",
    "Đường 2 Tháng 9",
    "Đường Huỳnh Thúc Kháng",
    "Đường Trưng Nữ Vương",
    "Đường Chu Văn An",
    "Đường Ven Biển",
)
