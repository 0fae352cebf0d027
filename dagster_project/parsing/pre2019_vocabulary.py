"""The indicators of the pre-2019 statistics table (《政府信息公开情况统计表》, 2008–2018).

The 2008 template and its 国办发〔2014〕32号 successor, and the local variants built on them, name
the same few quantities in many wordings (主动公开信息数 / 主动公开文件数 / 主动公开政府信息数 …).
Each indicator has a stable key, a pattern its label matches once numbering, 其中 and
parenthesized notes are removed, and the indicator it is a part of: a part is never more than its
whole (the channels of the requests received, the outcomes of the replies), which decides glued
digit runs. `within` names the section a label belongs to when the same words occur in two
sections (维持具体行政行为数 under both 行政复议 and 行政诉讼).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """One indicator: key, label pattern (fullmatch on the stripped label), the whole it is part of."""

    key: str
    pattern: str
    parent: str | None = None
    within: str | None = None  # the section (a parentless indicator) the label must follow
    is_money: bool = False


_I = Indicator
INDICATORS: tuple[Indicator, ...] = (
    # 主动公开
    _I("proactive_items", r"主动公开(?:政府)?(?:信息|文件)(?:总?数|条数)?(?:量)?"),
    _I("proactive_normative_documents", r"主动公开规范性文件数", "proactive_items"),
    _I("normative_documents_issued", r"制发规范性文件总?数"),
    _I("proactive_website", r"(?:政府)?网站公开(?:政府信息)?数?", "proactive_items"),
    _I("proactive_gazette", r"政府公报公开(?:政府信息)?数?", "proactive_items"),
    _I("proactive_weibo", r"政务微博公开(?:政府信息)?数?", "proactive_items"),
    _I("proactive_wechat", r"政务微信公开(?:政府信息)?数?", "proactive_items"),
    _I("proactive_other_channels", r"其[他它]方式公开(?:政府信息)?数?", "proactive_items"),
    # 回应解读
    _I("responses_to_concerns", r"回应公众关注热点或重大舆情数"),
    _I("press_conferences", r"参加或举办新闻发布会总?次数"),
    _I("press_conferences_by_heads", r"主要负责同志参加新闻发布会次数", "press_conferences"),
    _I("online_interviews", r"政府网站在线访谈次数"),
    _I("online_interviews_by_heads", r"主要负责同志参加政府网站在线访谈次数", "online_interviews"),
    _I("policy_interpretations", r"政策解读稿件发布数"),
    _I("weibo_wechat_responses", r"微博微信回应事件数"),
    _I("other_responses", r"其[他它]方式回应事件数"),
    # 依申请公开: received, by channel
    _I("requests_received", r"(?:受理|收到)(?:政府信息)?(?:依申请公开)?(?:信息|申请)?总?数(?:量)?"),
    _I("requests_in_person", r"当面申请数?", "requests_received"),
    _I("requests_fax", r"传真申请数?", "requests_received"),
    _I("requests_email", r"电子邮件申请数?", "requests_received"),
    _I("requests_online", r"(?:网上|网络)申请数?", "requests_received"),
    _I("requests_letter", r"信函申请数?", "requests_received"),
    _I("requests_letter_fax", r"信函、?传真申请数?", "requests_received"),
    _I("requests_other", r"其[他它](?:形式)?申请数?", "requests_received"),
    _I("requests_closed", r"申请办结数"),
    _I("requests_closed_on_time", r"按时办结数", "requests_closed"),
    _I("requests_closed_late", r"延期办结数", "requests_closed"),
    # 依申请公开: replies, by outcome
    _I("replies_total", r"(?:对申请的)?(?:申请)?答复总?数"),
    _I("replies_already_public", r"属于已主动公开(?:范围)?数", "replies_total"),
    _I("replies_granted", r"同意公开(?:答复)?数", "replies_total"),
    _I("replies_partly_granted", r"同意部分公开(?:答复)?数", "replies_total"),
    _I("replies_refused", r"(?:否决公开|不同意公开|不予公开)(?:答复)?数", "replies_total"),
    _I("refused_state_secret", r"涉及国家秘密", "replies_refused"),
    _I("refused_commercial_secret", r"涉及商业秘密", "replies_refused"),
    _I("refused_privacy", r"涉及个人隐私", "replies_refused"),
    _I("refused_security", r"危及国家安全、?公共安全、?经济安全和社会稳定", "replies_refused"),
    _I("refused_not_government_information", r"不是《?条例》?所指政府信息", "replies_refused"),
    _I("refused_other_law", r"法律法规规定的其他情形", "replies_refused"),
    _I("replies_not_this_agency", r"不属于本(?:行政)?机关公开(?:范围)?数", "replies_total"),
    _I("replies_not_exist", r"申请信息不存在数", "replies_total"),
    _I("replies_asked_to_amend", r"告知作出更改补充数", "replies_total"),
    _I("replies_other_channel", r"告知通过其他途径办理数", "replies_total"),
    _I("replies_other", r"其[他它](?:类型)?(?:公开)?答复数", "replies_total"),
    # 行政复议, 行政诉讼, 申诉 / 举报
    _I("review_cases", r"(?:申请)?行政复议(?:案件)?(?:数量?|件数)"),
    _I("review_upheld", r"维持具体行政行为数", "review_cases", "review_cases"),
    _I("review_corrected", r"被依法纠错数", "review_cases", "review_cases"),
    _I("review_other", r"其[他它]情形数", "review_cases", "review_cases"),
    _I("litigation_cases", r"(?:提起)?行政诉讼(?:案件)?(?:数量?|件数)"),
    _I("litigation_upheld", r"维持具体行政行为(?:或者驳回原告诉讼请求)?数", "litigation_cases", "litigation_cases"),
    _I("litigation_corrected", r"被依法纠错数", "litigation_cases", "litigation_cases"),
    _I("litigation_other", r"其[他它]情形数", "litigation_cases", "litigation_cases"),
    _I("appeal_cases", r"(?:行政)?申诉(?:案件)?数量?"),
    _I("complaints_and_reports", r"(?:接受行政(?:申诉|诉讼)、?举报|举报投诉)数量?"),
    # 收费, 机构和经费, 会议和培训
    _I("fees_charged", r"(?:依申请公开(?:信息)?)?收取(?:的)?费用(?:数|总额)?", is_money=True),
    _I("dedicated_offices", r"政府信息公开工作专门机构数"),
    _I("reading_points", r"(?:设置)?政府信息公开查阅点数"),
    _I("staff", r"从事政府信息公开工作人员数"),
    _I("staff_full_time", r"专职人员数", "staff"),
    _I("staff_part_time", r"兼职人员数", "staff"),
    _I("special_funds", r"政府信息公开专项经费", is_money=True),
    _I("meetings", r"召开政府信息公开工作会议或专题会议数"),
    _I("trainings", r"举办各类培训班数"),
    _I("trainees", r"接受培训人员数"),
)
BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}
_COMPILED = tuple((i, re.compile(i.pattern)) for i in INDICATORS)  # every label is tried against them all

# Numbering, 其中 and notes that a label carries around its words.
_PREFIX = re.compile(
    r"^(?:其中[:：]?)?(?:[(（]?[一二三四五六七八九十\d]{1,3}[)）.、:]|[(（][一二三四五六七八九十\d]{1,3}[)）])*"
)
_NOTE = re.compile(r"[(（][^)）]*[)）]")


def core_label(label: str) -> str:
    """A printed label without whitespace, 其中, numbering and parenthesized notes."""
    text = re.sub(r"\s+", "", label)
    text = _PREFIX.sub("", text)
    text = _NOTE.sub("", text)
    return text.strip(":：、.")


def match_indicator(label: str, section: str | None) -> Indicator | None:
    """The one indicator a label names (`section`: the last parentless indicator read), or None."""
    core = core_label(label)
    found = [i for i, pattern in _COMPILED if pattern.fullmatch(core)]
    placed = [i for i in found if i.within is None or i.within == section]
    return placed[0] if len(placed) == 1 else None
