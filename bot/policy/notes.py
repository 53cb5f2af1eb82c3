"""What a calculator's result assumes or leaves to BHXH, by code: results carry the codes in their
`notes`; this gives the Vietnamese wording (staff command, and the dialogue where it fits). The texts
state no figure: the figures are in the results' fields, and the policy data holds the legal ones."""

NOTES = {
    # bot.policy.calculators
    "average_income_revalued": "Bình quân thu nhập được coi là đã điều chỉnh theo chỉ số giá tiêu dùng; "
                               "số chính thức do cơ quan BHXH tính.",
    "paying_monthly_from_now": "Giả định anh/chị đóng đều hằng tháng, bắt đầu từ tháng này.",
    "transitional_join_unknown": "Chưa biết năm bắt đầu tham gia BHXH tự nguyện: người tham gia trước "
                                 "mốc chuyển tiếp và đủ số năm đóng được hưởng lương hưu ở tuổi thấp hơn.",
    "transitional_months_unknown": "Chưa biết số năm đã đóng: quy định chuyển tiếp chỉ áp dụng khi đủ số "
                                   "năm đóng theo quy định.",
    "general_needs_min_years": "Theo quy định chung, còn cần đủ số năm đóng tối thiểu để hưởng lương hưu.",
    "extra_after_age_last_years": "Những năm đóng vượt số năm hưởng tỷ lệ tối đa được coi là những năm "
                                  "đóng sau tuổi nghỉ hưu trước tiên.",
    "make_up_uncompounded": "Số tiền đóng bù chính thức cao hơn số này vì được cộng lãi theo lãi suất đầu tư "
                            "của quỹ, do cơ quan BHXH tính.",
    "make_up_support_unsettled": "Chưa rõ khoản đóng bù có được Nhà nước hỗ trợ hay không: số trên chưa "
                                 "trừ hỗ trợ, anh/chị hỏi cơ quan BHXH.",
    "make_up_at_floor": "Tính theo mức thu nhập thấp nhất đang áp dụng.",
    # bot.policy.benefits
    "spare_months_before_2014": "Các tháng lẻ trước năm 2014 được cộng vào giai đoạn từ năm 2014.",
    "support_deducted_unknown": "Số tiền Nhà nước đã hỗ trợ sẽ bị trừ; chưa biết số đó nên số trên chưa trừ.",
    "support_not_deducted": "Trường hợp này không bị trừ số tiền Nhà nước đã hỗ trợ.",
    "assumed_joined_before_july_2025": "Giả định anh/chị đã đóng BHXH trước ngày luật mới có hiệu lực.",
    "assumed_12_months_stopped": "Giả định anh/chị đã không đóng BHXH đủ một năm.",
    "refund_of_contributions": "Đóng chưa đủ số tháng quy định: thân nhân nhận số tiền đã đóng, do cơ quan BHXH tính.",
    "mixed_career_minimum": "Có cả thời gian đóng bắt buộc và tự nguyện nên được mức tối thiểu theo luật.",
    "monthly_survivor_not_on_voluntary": "Trợ cấp tuất hằng tháng không áp dụng khi chỉ đóng BHXH tự nguyện.",
    "monthly_survivor_possible": "Có đủ số năm đóng bắt buộc: thân nhân có thể được trợ cấp tuất hằng tháng, "
                                 "cơ quan BHXH xác định.",
    "allowance_duration_by_bhxh": "Thời gian nhận trợ cấp do cơ quan BHXH tính từ số tiền anh/chị đã đóng "
                                  "(bình quân thu nhập và số năm đóng).",
    "allowance_top_up": "Nếu số tiền đã đóng hết trước tuổi hưởng trợ cấp hưu trí xã hội, anh/chị có thể "
                        "đóng thêm một lần để nhận tiếp đến tuổi đó.",
    "allowance_instead_of_withdrawal": "Chỉ nhận khi không rút BHXH một lần và không bảo lưu thời gian đóng.",
    # bot.policy.situation
    "age_only_approximate": "Chỉ biết tuổi nên các mốc thời gian là khoảng; biết tháng, năm sinh sẽ tính chính xác.",
    "birth_month_unknown": "Chưa biết tháng sinh nên các mốc thời gian là khoảng.",
    "total_is_compulsory": "Chỉ biết thời gian đóng bắt buộc: coi đó là toàn bộ thời gian đã đóng.",
    "compulsory_other_rules": "Người có thời gian đóng bắt buộc có thể có điều kiện riêng (ví dụ nghỉ hưu "
                              "sớm); cơ quan BHXH xác định.",
    "income_ignored": "Mức thu nhập đã nêu nằm ngoài khoảng cho phép nên chưa dùng để tính.",
}
